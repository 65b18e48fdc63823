/**
 * Writing to stdout and stderr without `process.stdout`: Bun builds that object
 * (and `node:tty`) from its Node stream machinery on first use, which costs more
 * start-up time than the rest of a `zinit status`. A plain write(2) per call does
 * the same job for a CLI that prints a screenful and ends.
 *
 * A descriptor in non-blocking mode that is full (EAGAIN) hands over to the
 * stream object, which waits for room; every later write goes the same way, so
 * the order holds.
 */
import { fstatSync, writeSync } from "node:fs";

type Fd = 1 | 2;

const viaStream: Record<Fd, boolean> = { 1: false, 2: false };
const guarded: Record<Fd, boolean> = { 1: false, 2: false };

/** Writes `text` to fd 1 or 2. A reader that went away (EPIPE) is `onClosed`'s business. */
export function writeOut(fd: Fd, text: string, onClosed: (error: unknown) => void): void {
  if (viaStream[fd]) return streamWrite(fd, text, onClosed);
  let rest = Buffer.from(text);
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EAGAIN") return onClosed(error);
    viaStream[fd] = true;
    streamWrite(fd, rest.toString(), onClosed);
  }
}

/** The stream reports a closed reader either from write() itself or later as an "error" event. */
function streamWrite(fd: Fd, text: string, onClosed: (error: unknown) => void): void {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!guarded[fd]) {
    guarded[fd] = true;
    stream.on("error", onClosed);
  }
  try {
    stream.write(text);
  } catch (error) {
    onClosed(error);
  }
}

/**
 * Whether fd 1 is a terminal, without loading `node:tty` for the usual answers:
 * a pipe, a file or /dev/null (a memory device, major 1) is not one.
 */
export function stdoutIsTTY(): boolean {
  let st: ReturnType<typeof fstatSync>;
  try {
    st = fstatSync(1);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice() || major(st.rdev) === 1) return false;
  const { isatty } = require("node:tty") as typeof import("node:tty");
  return isatty(1);
}

/** Linux's dev_t encoding of the major number. */
function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}
