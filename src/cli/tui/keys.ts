/**
 * Keys to actions, pure. A chunk read from a raw-mode terminal may hold several
 * keys (typing fast, pasting) and escape sequences for the arrows; parseKeys
 * turns it into key names, keyToAction decides what each one means now.
 */
import type { TuiState } from "./state.ts";

export type Action =
  | { type: "move"; delta: number }
  | { type: "start" | "stop" | "restart"; name: string }
  | { type: "logs" }
  | { type: "quit" };

/** Rows moved by PageUp/PageDown. */
const PAGE = 10;

const SEQUENCES: [string, string][] = [
  ["\u001b[A", "up"],
  ["\u001bOA", "up"],
  ["\u001b[B", "down"],
  ["\u001bOB", "down"],
  ["\u001b[5~", "pgup"],
  ["\u001b[6~", "pgdn"],
  ["\u001b[H", "home"],
  ["\u001b[1~", "home"],
  ["\u001b[F", "end"],
  ["\u001b[4~", "end"],
  ["\u0003", "ctrl-c"],
];

/** Key names in a chunk: "up", "down", "pgup", "pgdn", "home", "end", "ctrl-c", "esc", or the character itself. */
export function parseKeys(chunk: string): string[] {
  const keys: string[] = [];
  let i = 0;
  while (i < chunk.length) {
    const seq = SEQUENCES.find(([s]) => chunk.startsWith(s, i));
    if (seq) {
      keys.push(seq[1]);
      i += seq[0].length;
    } else if (chunk[i] === "\u001b") {
      // An escape sequence we do not know: skip it whole (ESC [ params final).
      const m = /^\u001b(\[[0-9;?]*[ -/]*[@-~]|O.)?/.exec(chunk.slice(i))!;
      keys.push(m[1] === undefined ? "esc" : "unknown");
      i += m[0].length;
    } else {
      const ch = String.fromCodePoint(chunk.codePointAt(i)!);
      keys.push(ch);
      i += ch.length;
    }
  }
  return keys;
}

/** What `key` does in `state`; null when nothing (an unbound key, a service key with nothing selected). */
export function keyToAction(key: string, state: TuiState): Action | null {
  switch (key) {
    case "up":
    case "k":
      return { type: "move", delta: -1 };
    case "down":
    case "j":
      return { type: "move", delta: 1 };
    case "pgup":
      return { type: "move", delta: -PAGE };
    case "pgdn":
      return { type: "move", delta: PAGE };
    case "home":
      return { type: "move", delta: -Infinity };
    case "end":
      return { type: "move", delta: Infinity };
    case "q":
    case "ctrl-c":
      return { type: "quit" };
  }
  const name = state.selected;
  if (name === undefined) return null;
  switch (key) {
    case "s":
      return { type: "start", name };
    case "S":
      return { type: "stop", name };
    case "r":
      return { type: "restart", name };
    case "l":
      return { type: "logs" };
  }
  return null;
}
