/**
 * The repl's history file: `$ZINIT_HISTORY`, else `$HOME/.zinit_history`; one
 * command a line, oldest first, the last HISTORY_SIZE kept. Losing history is never
 * worth failing the shell for, so every error here is swallowed.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const HISTORY_SIZE = 1000;

/** Where history lives, or undefined when there is no home to put it in. */
export function historyPath(env: Record<string, string | undefined>): string | undefined {
  if (env.ZINIT_HISTORY) return env.ZINIT_HISTORY;
  return env.HOME ? join(env.HOME, ".zinit_history") : undefined;
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

/** Appends one command line. */
export function appendHistory(path: string | undefined, line: string): void {
  if (!path || line.trim() === "") return;
  try {
    appendFileSync(path, `${line.replace(/\n/g, " ")}\n`, { mode: 0o600 });
  } catch {}
}
