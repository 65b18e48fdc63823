/**
 * `zinit logs [NAME...] [-n N] [-f] [--since WHEN]`: buffered output lines,
 * `TIME NAME stream| text`; with -f, new lines as they come until interrupted.
 * --json: one JSON object a line.
 *
 * The server filters by one name only, so several names, or --since, take every
 * buffered line and choose here; -n then counts the lines that were chosen.
 */
import { defineCommand } from "citty";
import type { ZinitClient } from "../../sdk/client.ts";
import { ZinitError } from "../../sdk/errors.ts";
import type { LogLine } from "../../sdk/protocol/types.ts";
import { UsageError } from "../args.ts";
import { cli, connectClient } from "../context.ts";
import { renderLogLine } from "../render/logs.ts";
import { parseSince } from "../since.ts";

/** How many lines a filtered request asks for: all the server keeps. */
const ALL_LINES = 2 ** 31 - 1;
/** -n when not given, as the server does for a request without it. */
const DEFAULT_LINES = 100;

export default defineCommand({
  meta: {
    name: "logs",
    description:
      "Show buffered output of some services, or of all; -f keeps following. --since takes a duration back from now (90s, 10m, 1h30m, 2d) or a time (12:30, 2024-05-01, 2024-05-01T12:30:00Z).",
  },
  args: {
    name: { type: "positional", description: "service name(s) (all services when omitted)", required: false },
    lines: { type: "string", alias: "n", description: "how many buffered lines to show first", valueHint: "N" },
    follow: { type: "boolean", alias: "f", description: "keep printing new lines" },
    since: { type: "string", description: "only lines from this time on: a duration back (10m) or a time", valueHint: "WHEN" },
  },
  async run(c) {
    const ctx = cli(c);
    const names = [...new Set(c.args._.map(String))];
    let lines: number | undefined;
    if (c.args.lines !== undefined) {
      lines = Number(c.args.lines);
      if (!Number.isInteger(lines) || lines < 0) {
        throw new UsageError(`-n: expected a whole number of lines, got ${JSON.stringify(c.args.lines)}`, "logs");
      }
    }
    let since: number | undefined;
    if (c.args.since !== undefined) {
      since = parseSince(String(c.args.since), ctx.now());
      if (since === undefined) {
        throw new UsageError(`--since: expected a duration (10m, 1h30m) or a time (12:30, 2024-05-01T12:30:00Z), got ${JSON.stringify(c.args.since)}`, "logs");
      }
    }
    const follow = c.args.follow === true;
    if (follow) ctx.holdsStreams = true;
    const client = await connectClient(ctx);
    const print = (line: LogLine) => ctx.out(ctx.json ? JSON.stringify(line) : renderLogLine(line, { color: ctx.color }));
    try {
      if (names.length <= 1 && since === undefined) {
        for await (const line of client.logs(names[0], { lines, follow })) print(line);
        return 0;
      }
      await checkNames(client, names);
      const wanted = (l: LogLine) => (names.length === 0 || names.includes(l.name)) && (since === undefined || Date.parse(l.at) >= since);
      const stream = client.logs(names.length === 1 ? names[0] : undefined, { lines: ALL_LINES, follow });
      await printFiltered(stream, wanted, since === undefined ? (lines ?? DEFAULT_LINES) : (lines ?? ALL_LINES), print);
    } finally {
      await Promise.resolve(client.close()).catch(() => undefined);
    }
    return 0;
  },
});

/** Unknown names fail as `zinit logs NAME` does for one (exit 3), rather than showing nothing. */
async function checkNames(client: ZinitClient, names: string[]): Promise<void> {
  if (names.length < 2) return;
  const known = new Set((await client.list()).map((s) => s.name));
  const unknown = names.find((n) => !known.has(n));
  if (unknown !== undefined) throw new ZinitError("not_found", `unknown service "${unknown}"`);
}

const IDLE = Symbol("idle");

/**
 * The last `tail` wanted lines of what the server had buffered, then (following)
 * every wanted line as it comes. The buffered lines are what the stream yields
 * without waiting for the socket again: they arrived in the answer itself.
 */
async function printFiltered(
  stream: AsyncIterableIterator<LogLine>,
  wanted: (l: LogLine) => boolean,
  tail: number,
  print: (l: LogLine) => void,
): Promise<void> {
  const buffered: LogLine[] = [];
  let result = await stream.next();
  while (!result.done) {
    if (wanted(result.value)) buffered.push(result.value);
    const next = stream.next();
    const settled = await Promise.race([next, new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE)))]);
    if (settled === IDLE) {
      flush(buffered, tail, print);
      for (result = await next; !result.done; result = await stream.next()) if (wanted(result.value)) print(result.value);
      return;
    }
    result = settled;
  }
  flush(buffered, tail, print);
}

function flush(lines: LogLine[], tail: number, print: (l: LogLine) => void): void {
  for (const l of tail === 0 ? [] : lines.slice(-tail)) print(l);
}
