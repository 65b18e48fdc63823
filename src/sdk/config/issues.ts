/**
 * Turns valibot issues into ConfigIssues worded for people who write TOML:
 * `lifecycle.restart: expected "always" | "on-failure" | "never", got "sometimes"`.
 * valibot's own messages speak JavaScript ("Object", "Received undefined"); ours
 * speak TOML (table, array, missing key). Checks written in schema.ts already
 * carry a finished sentence, which is kept as is.
 */
import type { BaseIssue } from "valibot";
import type { ConfigIssue } from "./types.ts";

const MAX_SHOWN = 60;

/** A value as a TOML user would recognise it: `"text"`, `15`, `true`, `table`, `array`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return JSON.stringify(shown);
    }
    case "number":
      if (Number.isNaN(value)) return "nan";
      if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
      return String(value);
    case "bigint":
    case "boolean":
      return String(value);
    case "undefined":
      return "nothing";
  }
  if (value instanceof Date) return "datetime";
  if (Array.isArray(value)) return "array";
  return value === null ? "null" : "table";
}

const TYPE_NAMES = new Map([
  ["Object", "table"],
  ["Array", "array"],
]);

/** One valibot issue, reworded; `file` is the base name the issue is reported under. */
export function toConfigIssue(file: string, issue: BaseIssue<unknown>): ConfigIssue {
  const path = (issue.path ?? []).map((item) => pathKey(item.key)).join(".");
  return { file, path, message: messageOf(issue) };
}

function pathKey(key: unknown): string {
  const text = String(key);
  // Quote keys TOML would quote, so that `env."A.B"` is not read as two levels.
  return /^[A-Za-z0-9_-]+$/.test(text) ? text : JSON.stringify(text);
}

function messageOf(issue: BaseIssue<unknown>): string {
  // Our own checks (schema.ts) and `custom` schemas already say exactly what is wrong.
  if (issue.kind !== "schema" || issue.type === "custom") return issue.message;
  const last = issue.path?.at(-1);
  if (last && last.origin === "key" && issue.input === undefined) return "missing required key";
  // valibot wraps a list of choices in parentheses; alone in a sentence they only add noise.
  const expected = (issue.expected ?? "a value").replace(/^\((.*)\)$/, "$1");
  return `expected ${TYPE_NAMES.get(expected) ?? expected}, got ${describeValue(issue.input)}`;
}
