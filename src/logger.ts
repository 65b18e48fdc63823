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
let flushQueued = false;
let exitHooked = false;

/**
 * Info and debug lines of a batching logger are flushed once at the end of the
 * current task: stopping 100 services logs 100 transitions in one walk, and a
 * write(2) per line was more than half the time the walk took (100 SIGTERMs sent
 * in 7.9 ms with the lines, 3.4 ms without). Warnings and errors go out at once,
 * after what stdout holds, so lines keep their order and one that precedes an
 * exit is never lost.
 */
function write(toStderr: boolean, line: string, batch: boolean): void {
  try {
    if (toStderr) {
      flush(out);
      (err ??= Bun.stderr.writer()).write(line);
      flush(err);
      return;
    }
    (out ??= Bun.stdout.writer()).write(line);
    if (!batch) return flush(out);
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(flushOut);
    // process.exit() in the same task runs no microtask: take the lines along.
    if (!exitHooked) {
      exitHooked = true;
      process.on("exit", flushOut);
    }
  } catch {
    // A closed stdout must not take the server down with it.
  }
}

function flushOut(): void {
  flushQueued = false;
  try {
    flush(out);
  } catch {}
}

function flush(sink: Bun.FileSink | null): void {
  if (sink === null) return;
  const pending = sink.flush();
  if (pending instanceof Promise) pending.catch(() => {});
}

function format(args: unknown[]): string {
  const [first] = args;
  if (args.length === 1 && typeof first === "string" && !first.includes("%")) return first;
  return (require("node:util") as typeof import("node:util")).format(...args);
}

/**
 * `batch`: info and debug lines are flushed at the end of the current task (the
 * server). Without it every line is written at once (zinit-pid1, whose lines may
 * be the last before reboot(2)).
 */
export function createLogger(tag: string, level = "info", opts: { batch?: boolean } = {}): Logger {
  const max = LOG_LEVELS[level] ?? 3;
  const batch = opts.batch === true;
  const at =
    (n: number, mark: string) =>
    (...args: unknown[]): void => {
      if (n <= max) write(n <= 1, `[${tag}] ${mark}${format(args)}\n`, batch);
    };
  return { error: at(0, "error: "), warn: at(1, "warn: "), info: at(3, ""), debug: at(4, "") };
}
