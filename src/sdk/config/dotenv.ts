/**
 * The env file syntax (`env_file`), pure: the small dotenv subset that systemd's
 * EnvironmentFile, Docker's --env-file and most dotenv libraries agree on, and
 * nothing more, so one file means the same thing to all of them.
 *
 *   # a comment line             blank lines are skipped too
 *   KEY=value                    unquoted: trimmed, taken as written (`#` and `$` included)
 *   export KEY=value             the `export ` prefix of shell-sourced files is allowed
 *   KEY='literal'                single quotes: every character as written
 *   KEY="a\n\tb \" \\ \$"        double quotes: only \n \t \" \\ \$ are escapes
 *
 * No variable is expanded, no value spans lines, and anything else (a line
 * without `=`, a bad name, an unclosed quote, text after a closing quote, an
 * unknown escape, a NUL byte) is an error naming its line. A key repeated later
 * in the file wins.
 */

export interface EnvLineError {
  /** 1-based */
  line: number;
  message: string;
}

export interface DotenvResult {
  vars: Record<string, string>;
  /** every bad line, in file order; a start fails on the first */
  errors: EnvLineError[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\", $: "$" };

/** Parses the text of an env file. */
export function parseDotenv(text: string): DotenvResult {
  const vars: Record<string, string> = {};
  const errors: EnvLineError[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  // A final newline does not start one more line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, i) => {
    const parsed = parseLine(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
    if (parsed === null) return;
    if ("error" in parsed) errors.push({ line: i + 1, message: parsed.error });
    // Defined as an own property: a key named __proto__ is just a variable.
    else Object.defineProperty(vars, parsed.key, { value: parsed.value, enumerable: true, writable: true, configurable: true });
  });
  return { vars, errors };
}

type Line = { key: string; value: string } | { error: string } | null;

function parseLine(line: string): Line {
  if (line.includes("\0")) return { error: "contains a NUL byte" };
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return null;
  const body = /^export\s/.test(text) ? text.slice("export".length).trimStart() : text;
  const eq = body.indexOf("=");
  if (eq < 0) return { error: "expected KEY=VALUE" };
  const key = body.slice(0, eq).trim();
  if (!NAME.test(key)) {
    return { error: key === "" ? "expected KEY=VALUE" : `expected a variable name (letters, digits, "_"; not starting with a digit), got ${JSON.stringify(key)}` };
  }
  const rest = body.slice(eq + 1).trim();
  const value = rest.startsWith("'") ? singleQuoted(rest) : rest.startsWith('"') ? doubleQuoted(rest) : { value: rest };
  return "error" in value ? value : { key, value: value.value };
}

function singleQuoted(rest: string): { value: string } | { error: string } {
  const close = rest.indexOf("'", 1);
  if (close < 0) return { error: "unclosed single quote" };
  return afterQuote(rest, close) ?? { value: rest.slice(1, close) };
}

function doubleQuoted(rest: string): { value: string } | { error: string } {
  let out = "";
  for (let i = 1; i < rest.length; i++) {
    const ch = rest[i]!;
    if (ch === '"') return afterQuote(rest, i) ?? { value: out };
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = rest[i + 1];
    if (next === undefined) break; // `\"` at the end escapes the closing quote away
    const escaped = ESCAPES[next];
    if (escaped === undefined) return { error: `unknown escape \\${next} in double quotes (only \\n \\t \\" \\\\ \\$)` };
    out += escaped;
    i++;
  }
  return { error: "unclosed double quote" };
}

/** Only blanks may follow a closing quote. */
function afterQuote(rest: string, close: number): { error: string } | undefined {
  return rest.slice(close + 1).trim() === "" ? undefined : { error: "unexpected text after the closing quote" };
}

/** `-/etc/app.env` is optional: a missing file is skipped. */
export function envFileEntry(entry: string): { path: string; optional: boolean } {
  return entry.startsWith("-") ? { path: entry.slice(1), optional: true } : { path: entry, optional: false };
}
