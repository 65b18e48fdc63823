/**
 * The repl's history file, kept across sessions in the user's state directory:
 * `$ZINIT_HISTORY`, else `$XDG_STATE_HOME/zinit/history`, else
 * `~/.local/state/zinit/history`. One command a line, oldest first, the last
 * HISTORY_SIZE kept; the file and its directory are private to the user. Losing
 * history is never worth failing the shell for, so every error here is swallowed.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const HISTORY_SIZE = 1000;

/** Where history lives, or undefined when there is no home to put it in. */
export function historyPath(env: Record<string, string | undefined>): string | undefined {
  if (env.ZINIT_HISTORY) return env.ZINIT_HISTORY;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "zinit", "history");
  return env.HOME ? join(env.HOME, ".local", "state", "zinit", "history") : undefined;
}

/** The last HISTORY_SIZE lines, oldest first; trims the file when it grew past that. */
export function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  let lines: string[];
  try {
    lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
  if (lines.length > HISTORY_SIZE) {
    lines = lines.slice(-HISTORY_SIZE);
    try {
      writeFileSync(path, `${lines.join("\n")}\n`);
    } catch {}
  }
  return lines;
}

/** Appends one command line, making the directory on first use. */
export function appendHistory(path: string | undefined, line: string): void {
  if (!path || line.trim() === "") return;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Completion leaves a blank after the last word; it is no part of the command.
    appendFileSync(path, `${line.replace(/\n/g, " ").trimEnd()}\n`, { mode: 0o600 });
  } catch {}
}
