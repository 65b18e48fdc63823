/**
 * The terminal side of the tui: the alternate screen, a hidden cursor, raw keys,
 * and whole-frame drawing. close() puts every one of those back; it is idempotent
 * and also runs on process exit, so no path leaves the terminal in raw mode.
 */
import type { ReadStream, WriteStream } from "node:tty";
import { stripAnsi } from "../render/color.ts";

export interface Screen {
  /** columns and rows right now */
  size(): { width: number; height: number };
  /** replaces what is on screen with `frame` (lines separated by "\n") */
  draw(frame: string): void;
  close(): void;
}

const ENTER = "\u001b[?1049h\u001b[?25l\u001b[?7l\u001b[H\u001b[2J";
const LEAVE = "\u001b[0m\u001b[?7h\u001b[?25h\u001b[?1049l";

export function openScreen(input: ReadStream, output: WriteStream): Screen {
  input.setRawMode(true); // first: if the terminal refuses, nothing else needs undoing
  output.write(ENTER);
  input.setEncoding("utf8");
  input.resume();
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    process.off("exit", close);
    input.setRawMode(false);
    input.pause();
    output.write(LEAVE);
  };
  process.on("exit", close);
  return {
    size: () => ({ width: output.columns || 80, height: output.rows || 24 }),
    draw(frame) {
      if (!open) return;
      // Home, each line followed by erase-to-end-of-line, then erase below: no flicker
      // from clearing first. Raw mode needs the explicit \r. 2026 = synchronized update.
      // A line that fills the width is not followed by the erase: with wrapping off the
      // cursor stays on the last column, and the erase would take its character.
      // Erase-below has the same catch, so after a full last line it starts on the next.
      const width = output.columns || 80;
      const lines = frame.split("\n");
      const full = (line: string) => Array.from(stripAnsi(line)).length >= width;
      const body = lines.map((line) => (full(line) ? line : `${line}\u001b[K`)).join("\r\n");
      const below = lines.length >= (output.rows || 24) ? "" : full(lines[lines.length - 1]!) ? "\r\n\u001b[J" : "\u001b[J";
      output.write(`\u001b[?2026h\u001b[H${body}${below}\u001b[?2026l`);
    },
    close,
  };
}
