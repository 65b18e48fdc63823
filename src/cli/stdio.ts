/**
 * Writing to stdout and stderr without `process.stdout` and without node:fs: Bun
 * builds `process.stdout` (and `node:tty`) from its Node stream machinery on first
 * use, and loading node:fs costs ~1.5 ms, which for a CLI that prints a screenful
 * and ends is a large part of its whole run. Bun's own file sinks write at once
 * and keep the order of what is written.
 */
import { isatty } from "../sys/libc.ts";

type Fd = 1 | 2;

const sinks: Partial<Record<Fd, Bun.FileSink>> = {};

/** Writes `text` to fd 1 or 2. A reader that went away (EPIPE) is `onClosed`'s business. */
export function writeOut(fd: Fd, text: string, onClosed: (error: unknown) => void): void {
  const sink = (sinks[fd] ??= (fd === 1 ? Bun.stdout : Bun.stderr).writer());
  try {
    sink.write(text);
    // What the descriptor cannot take now (a full non-blocking pipe) goes out when it can, in order.
    const pending = sink.flush();
    if (pending instanceof Promise) pending.catch(onClosed);
  } catch (error) {
    onClosed(error);
  }
}

/** Whether fd 1 is a terminal (libc's isatty: node:tty would cost ~5 ms). */
export function stdoutIsTTY(): boolean {
  try {
    return isatty(1);
  } catch {
    return false;
  }
}
