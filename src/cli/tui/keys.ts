/**
 * Keys to actions, pure. A chunk read from a raw-mode terminal may hold several
 * keys (typing fast, pasting) and escape sequences for the arrows; parseKeys
 * turns it into key names, keyToAction decides what each one means now: the
 * same key types into the filter line while it is open, answers a confirmation
 * while one is asked, and closes the help while it is shown.
 */
import { selectedService, type TuiState } from "./state.ts";

export type Action =
  | { type: "move"; delta: number }
  | { type: "start" | "stop" | "restart"; name: string }
  /** a stop or restart of a system unit: ask first */
  | { type: "confirm"; action: "stop" | "restart"; name: string }
  | { type: "cancel-confirm" }
  | { type: "logs" }
  | { type: "filter-begin" }
  | { type: "filter-text"; text: string }
  | { type: "filter-end"; keep: boolean }
  | { type: "sort"; reverse: boolean }
  | { type: "help"; show: boolean }
  | { type: "quit" };

/** The key help, one entry per key (the footer shows the short form). */
export const KEY_HELP: readonly [string, string][] = [
  ["Up/Down, k/j", "select a service"],
  ["PgUp/PgDn, Home/End", "move by a page, to the first / last"],
  ["/", "filter by name (Enter keeps it, Esc clears it)"],
  ["o / O", "sort by the next column (name, state, restarts, memory, cpu) / reverse"],
  ["s", "start the selected service"],
  ["S", "stop it (a system unit asks first: y to confirm)"],
  ["r", "restart it (a system unit asks first: y to confirm)"],
  ["l", "show / hide the log pane, which follows the selection"],
  ["Esc", "clear the filter"],
  ["?", "this help (any key closes it)"],
  ["q, Ctrl-C", "quit"],
];

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
  ["\u001bOH", "home"],
  ["\u001b[F", "end"],
  ["\u001b[4~", "end"],
  ["\u001bOF", "end"],
  ["\u0003", "ctrl-c"],
  ["\r\n", "enter"],
  ["\r", "enter"],
  ["\n", "enter"],
  ["\u007f", "backspace"],
  ["\b", "backspace"],
];

/** Key names in a chunk: "up", "down", "pgup", "pgdn", "home", "end", "ctrl-c", "enter", "backspace", "esc", or the character itself. */
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
  if (key === "ctrl-c") return { type: "quit" };
  if (state.help) return { type: "help", show: false };
  if (state.confirm) {
    return key === "y" || key === "Y" ? { type: state.confirm.action, name: state.confirm.name } : { type: "cancel-confirm" };
  }
  const move = movement(key);
  if (state.editingFilter) {
    if (move && key.length > 1) return move; // arrows still move while typing; letters type
    if (key === "enter") return { type: "filter-end", keep: true };
    if (key === "esc") return { type: "filter-end", keep: false };
    if (key === "backspace") return { type: "filter-text", text: Array.from(state.filter).slice(0, -1).join("") };
    return isPrintable(key) ? { type: "filter-text", text: state.filter + key } : null;
  }
  if (move) return move;
  switch (key) {
    case "q":
      return { type: "quit" };
    case "/":
      return { type: "filter-begin" };
    case "esc":
      return state.filter === "" ? null : { type: "filter-end", keep: false };
    case "o":
      return { type: "sort", reverse: false };
    case "O":
      return { type: "sort", reverse: true };
    case "?":
      return { type: "help", show: true };
  }
  const selected = selectedService(state);
  if (!selected) return null;
  const { name } = selected;
  switch (key) {
    case "s":
      return { type: "start", name };
    case "S":
    case "r": {
      const action = key === "S" ? "stop" : "restart";
      return selected.class === "system" ? { type: "confirm", action, name } : { type: action, name };
    }
    case "l":
      return { type: "logs" };
  }
  return null;
}

function movement(key: string): Action | null {
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
  }
  return null;
}

/** One visible character (not a key name such as "up", not a control character). */
function isPrintable(key: string): boolean {
  return Array.from(key).length === 1 && !/[\u0000-\u001f\u007f]/.test(key);
}
