/**
 * The one log format of the server and pid1: `[tag] message`, warnings and errors
 * marked `warn:`/`error:` and sent to stderr. A fixed format rather than a logging
 * library's reporters, which pick a style from the environment (a TTY, TERM, CI)
 * and made console and `docker logs` lines differ from boot to boot; operators
 * and scripts grep these lines.
 *
 * Small on purpose: it runs in every server and PID 1 start, where loading a
 * library that loads node:tty and node:util, and building process.stdout, cost
 * ~10 ms of the time to the first service started. Arguments are formatted as
 * node's util.format does, which is loaded only for what a plain string is not.
 */

export const LOG_LEVELS: Record<string, number> = { error: 0, warn: 1, info: 3, debug: 4, trace: 5 };

export interface Logger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

let out: Bun.FileSink | null = null;
let err: Bun.FileSink | null = null;

function write(toStderr: boolean, line: string): void {
  const sink = toStderr ? (err ??= Bun.stderr.writer()) : (out ??= Bun.stdout.writer());
  try {
    sink.write(line);
    const pending = sink.flush();
    if (pending instanceof Promise) pending.catch(() => {});
  } catch {
    // A closed stdout must not take the server down with it.
  }
}

function format(args: unknown[]): string {
  const [first] = args;
  if (args.length === 1 && typeof first === "string" && !first.includes("%")) return first;
  return (require("node:util") as typeof import("node:util")).format(...args);
}

export function createLogger(tag: string, level = "info"): Logger {
  const max = LOG_LEVELS[level] ?? 3;
  const at =
    (n: number, mark: string) =>
    (...args: unknown[]): void => {
      if (n <= max) write(n <= 1, `[${tag}] ${mark}${format(args)}\n`);
    };
  return { error: at(0, "error: "), warn: at(1, "warn: "), info: at(3, ""), debug: at(4, "") };
}
