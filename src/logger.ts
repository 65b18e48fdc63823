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

import { writeTo } from "./stdio.ts";

export const LOG_LEVELS: Record<string, number> = { error: 0, warn: 1, info: 3, debug: 4, trace: 5 };

export interface Logger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

let flushQueued = false;
let pending = "";
let exitHooked = false;

/**
 * Info and debug lines of a batching logger are kept here and written once per
 * turn of the event loop (setImmediate). Stopping 100 services logs 100
 * transitions in one walk, and a write(2) per line was more than half the time
 * the walk took (100 SIGTERMs sent in 7.9 ms with the lines, 3.4 ms without).
 * Bun's FileSink alone is not enough: it writes at the end of every task, and
 * each exit of a service is a task of its own (stopping 10 layers of 100: 1,022
 * writes through the sink, 27-41 with this buffer, ~7 % off the stop).
 * Warnings and errors go out at once, after the info lines before them, so
 * lines keep their order and one that precedes an exit is never lost.
 */
function write(toStderr: boolean, line: string, batch: boolean): void {
  if (toStderr) {
    flushOut();
    return writeTo("stderr", line);
  }
  if (!batch) return writeTo("stdout", line);
  pending += line;
  if (flushQueued) return;
  flushQueued = true;
  setImmediate(flushOut);
  // process.exit() before the next turn would leave them here: take them along.
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", flushOut);
  }
}

/**
 * Writes the batched info lines now. For whatever else writes to our stdout (a
 * service's forwarded lines): a line zinit logged before a service's answer to
 * it (`stopping all services`, then the service's own "stopping") stays before it.
 */
export function flushBatchedLines(): void {
  if (pending !== "") flushOut();
}

function flushOut(): void {
  flushQueued = false;
  if (pending === "") return;
  const text = pending;
  pending = "";
  writeTo("stdout", text);
}

function format(args: unknown[]): string {
  const [first] = args;
  if (args.length === 1 && typeof first === "string" && !first.includes("%")) return first;
  return (require("node:util") as typeof import("node:util")).format(...args);
}

/**
 * `batch`: info and debug lines are written once per turn of the event loop (the
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
