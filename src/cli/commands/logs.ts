/**
 * `zinit logs [NAME] [-n N] [-f]`: buffered output lines, `TIME NAME stream| text`;
 * with -f, new lines as they come until interrupted. --json: one JSON object a line.
 */
import { defineCommand } from "citty";
import { UsageError } from "../args.ts";
import { cli, socketPath } from "../context.ts";
import { renderLogLine } from "../render/logs.ts";

export default defineCommand({
  meta: { name: "logs", description: "Show buffered output of one service, or of all services." },
  args: {
    name: { type: "positional", description: "service name (all services when omitted)", required: false },
    lines: { type: "string", alias: "n", description: "how many buffered lines to show first", valueHint: "N" },
    follow: { type: "boolean", alias: "f", description: "keep printing new lines" },
  },
  async run(c) {
    const ctx = cli(c);
    const name = c.args.name === undefined ? undefined : String(c.args.name);
    let lines: number | undefined;
    if (c.args.lines !== undefined) {
      lines = Number(c.args.lines);
      if (!Number.isInteger(lines) || lines < 0) {
        throw new UsageError(`-n: expected a whole number of lines, got ${JSON.stringify(c.args.lines)}`, "logs");
      }
    }
    const follow = c.args.follow === true;
    if (follow) ctx.holdsStreams = true;
    const { ZinitClient } = await import("../../sdk/client.ts");
    const client = await ZinitClient.connect(socketPath(ctx));
    try {
      for await (const line of client.logs(name, { lines, follow })) {
        ctx.out(ctx.json ? JSON.stringify(line) : renderLogLine(line, { color: ctx.color }));
      }
    } finally {
      await Promise.resolve(client.close()).catch(() => undefined);
    }
    return 0;
  },
});
