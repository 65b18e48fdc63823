/**
 * `zinit tui`: a full-screen live view of the services, updated from the event
 * stream, with a filter, sort orders, memory and CPU, keys to start, stop and
 * restart the selected one, and a log pane.
 * Needs a terminal on both stdin and stdout. See tui/app.ts.
 */
import { defineCommand } from "citty";
import { UsageError } from "../args.ts";
import { cli, withClient } from "../context.ts";
import { KEY_HELP } from "../tui/keys.ts";

export default defineCommand({
  meta: {
    name: "tui",
    description: `Full-screen live view of the services, with memory and CPU refreshed every 2 s.\n\nkeys:\n${KEY_HELP.map(([k, what]) => `  ${k.padEnd(20)} ${what}`).join("\n")}`,
  },
  args: {},
  async run(c) {
    const ctx = cli(c);
    if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
      throw new UsageError("tui needs a terminal on stdin and stdout (in scripts, use `zinit list` or `zinit logs -f`)", "tui");
    }
    const { runTui } = await import("../tui/app.ts");
    ctx.holdsStreams = true;
    return withClient(ctx, (client) =>
      runTui(client, { input: process.stdin, output: process.stdout, color: ctx.color, now: ctx.now }),
    );
  },
});
