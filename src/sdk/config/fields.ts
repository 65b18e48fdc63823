/**
 * The checks of single values in a service file: names, integers, commands,
 * accounts, paths, signals, probe targets. Each reports a finished sentence
 * ("expected ..., got ...") so that issues.ts need not reword it.
 */
import * as v from "valibot";
import { describeValue } from "./issues.ts";
import { normalizeSignal } from "./signals.ts";
import { SplitError, splitExec } from "./split.ts";
import type { HealthType } from "./types.ts";

export const NAME_MAX_LENGTH = 128;
/** Larger delays make setTimeout fire at once, so no duration or count may exceed it. */
export const INT_MAX = 2_147_483_647;
const UID_MAX = 4_294_967_294;

/** Why `name` is not a valid service or target name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.length > NAME_MAX_LENGTH) return `must be at most ${NAME_MAX_LENGTH} characters, got ${name.length}`;
  if (!/^[A-Za-z0-9_]/.test(name)) return `must start with a letter, digit or "_", got ${describeValue(name)}`;
  if (!/^[A-Za-z0-9_.@-]+$/.test(name)) return `may contain only ASCII letters, digits and "_.@-", got ${describeValue(name)}`;
  return undefined;
}

export function isValidName(name: string): boolean {
  return nameProblem(name) === undefined;
}

// ---- building blocks -----------------------------------------------------------

interface Problem {
  message: string;
  /** the array element (`exec.2: ...`) or table key (`env.A: ...`) the problem is in */
  index?: number | string;
}
type Checked<T> = { value: T } | { problems: Problem[] };

const fail = (message: string, index?: number): { problems: Problem[] } => ({ problems: [{ message, index }] });

/** A field checked and converted by one function, reporting its own messages. */
export function converted<T>(convert: (input: unknown) => Checked<T>) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, T>(({ dataset, addIssue, NEVER }) => {
      const result = convert(dataset.value);
      if ("value" in result) return result.value;
      for (const { message, index } of result.problems) {
        addIssue({ message, path: index === undefined ? undefined : [pathItem(dataset.value, index)] });
      }
      return NEVER;
    }),
  );
}

function pathItem(input: unknown, key: number | string): v.IssuePathItem {
  if (typeof key === "number") {
    const array = input as unknown[];
    return { type: "array", origin: "value", input: array, key, value: array[key] };
  }
  const record = input as Record<string, unknown>;
  return { type: "object", origin: "value", input: record, key, value: record[key] };
}

export function isTable(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Date);
}

/** valibot takes any JS object for a table; TOML arrays and datetimes are objects too. */
export const tableOnly = v.custom<Record<string, unknown>>(
  isTable,
  (issue) => `expected table, got ${describeValue(issue.input)}`,
);

/** The sentence for an unknown key of a table, given the key and its value. */
export type UnknownKeyMessage = (key: string, value: unknown) => string;

const unknownKey: UnknownKeyMessage = () => "unknown key";

/**
 * A TOML table that reports every unknown key, by its name. Keys are data: any
 * own key not among `entries` is unknown, `__proto__`, `constructor` and
 * `prototype` included. valibot's own object schemas cannot be used for that:
 * strictObject stops at the first unknown key, and objectWithRest (like record)
 * silently skips those three names, so `[constructor]` would pass unseen. The
 * known keys are still checked by valibot's object schema, which builds a fresh
 * output holding only them; the unknown ones are found here by own-key lookup.
 */
export function table<E extends v.ObjectEntries>(entries: E, unknown: UnknownKeyMessage = unknownKey) {
  const known = v.object(entries);
  const strict: typeof known = {
    ...known,
    "~run"(dataset, config) {
      const input = dataset.value as Record<string, unknown>;
      const out = known["~run"](dataset, config);
      for (const key of Object.keys(input)) {
        if (Object.hasOwn(entries, key)) continue;
        const value = input[key];
        const issue = {
          // A validation issue keeps its message as written (see issues.ts).
          kind: "validation",
          type: "unknown_key",
          input: value,
          expected: "nothing",
          received: describeValue(value),
          message: unknown(key, value),
          path: [{ type: "object", origin: "key", input, key, value }],
        } as unknown as v.BaseIssue<unknown>;
        (out.issues ??= [] as never)!.push(issue as never);
        out.typed = false;
        if (config.abortEarly) break;
      }
      return out;
    },
  };
  return v.pipe(tableOnly, strict) as unknown as v.StrictObjectSchema<E, undefined>;
}

export function integer(min: 0 | 1) {
  const expected = min === 0 ? "a non-negative integer" : "a positive integer";
  return converted((x) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < min) return fail(`expected ${expected}, got ${describeValue(x)}`);
    if (x > INT_MAX) return fail(`expected at most ${INT_MAX}, got ${x}`);
    return { value: x };
  });
}

/**
 * The fd a service writes its readiness line to. 0-2 are its stdio; the cap keeps
 * it below the usual soft RLIMIT_NOFILE of 1024.
 */
export const readyFd = converted((x) => {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 3 || x > 1023) {
    return fail(`expected an integer from 3 to 1023 (0, 1 and 2 are stdin, stdout and stderr), got ${describeValue(x)}`);
  }
  return { value: x };
});

export const name = v.pipe(
  v.string(),
  v.check(isValidName, (issue) => nameProblem(issue.input) ?? "invalid name"),
);

// ---- exec --------------------------------------------------------------------

function wordProblem(word: string): string | undefined {
  return word.includes("\0") ? "must not contain a NUL character" : undefined;
}

/** Why a command line (`exec`, an exec health target) is unusable, or its argv. */
export function commandArgv(cmd: string): Checked<string[]> {
  if (cmd.trim() === "") return fail("must not be empty");
  let argv: string[];
  try {
    argv = splitExec(cmd);
  } catch (e) {
    if (e instanceof SplitError) return fail(e.message);
    throw e;
  }
  if (argv[0] === "") return fail("the program (first word) must not be empty");
  const bad = argv.map(wordProblem).find((p) => p !== undefined);
  return bad ? fail(bad) : { value: argv };
}

/**
 * A string is split like a shell; an array is taken word for word. Only the
 * program must be non-empty: later empty words are real arguments, as `''` is
 * in a string.
 */
function execArgv(x: unknown): Checked<string[]> {
  if (typeof x === "string") return commandArgv(x);
  if (!Array.isArray(x)) return fail(`expected string or array of strings, got ${describeValue(x)}`);
  if (x.length === 0) return fail("must not be empty");
  const problems: Problem[] = [];
  x.forEach((word: unknown, index) => {
    if (typeof word !== "string") problems.push({ message: `expected string, got ${describeValue(word)}`, index });
    else if (index === 0 && word === "") problems.push({ message: "the program must not be empty", index });
    else {
      const p = wordProblem(word);
      if (p) problems.push({ message: p, index });
    }
  });
  return problems.length ? { problems } : { value: x as string[] };
}

export const exec = converted(execArgv);

// ---- service keys ------------------------------------------------------------

/** A user or group: a name or numeric string kept as written, or an integer id. */
export const account = converted<string>((x) => {
  if (typeof x === "string" && x !== "" && !/[\s:\0]/.test(x)) return { value: x };
  if (typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= UID_MAX) return { value: String(x) };
  return fail(`expected a user or group name or a numeric id, got ${describeValue(x)}`);
});

// A relative directory would depend on the cwd of the server, which nobody controls.
export const directory = v.pipe(
  v.string(),
  v.check(
    (s) => s.startsWith("/"),
    (issue) => `expected an absolute path, got ${describeValue(issue.input)}`,
  ),
);

function envKeyProblem(key: string): string | undefined {
  return key !== "" && !key.includes("=") && !key.includes("\0")
    ? undefined
    : `expected a variable name (non-empty, without "="), got ${describeValue(key)}`;
}

/**
 * `env = { NAME = "value" }`. Every key is a variable name, `__proto__` and
 * `constructor` too (valibot's record would drop those silently). The output is
 * built with Object.fromEntries, which defines each key as an own property, so no
 * key can reach an object's prototype.
 */
export const environment = converted<Record<string, string>>((x) => {
  if (!isTable(x)) return fail(`expected table, got ${describeValue(x)}`);
  const problems: Problem[] = [];
  const entries: [string, string][] = [];
  for (const key of Object.keys(x)) {
    const value = x[key];
    const keyProblem = envKeyProblem(key);
    if (keyProblem) problems.push({ message: keyProblem, index: key });
    if (typeof value !== "string") problems.push({ message: `expected string, got ${describeValue(value)}`, index: key });
    else if (value.includes("\0")) problems.push({ message: "must not contain a NUL character", index: key });
    else entries.push([key, value]);
  }
  return problems.length ? { problems } : { value: Object.fromEntries(entries) };
});

// ---- lifecycle and health ------------------------------------------------------

export const signal = converted<string>((x) => {
  const canonical = typeof x === "string" || typeof x === "number" ? normalizeSignal(x) : undefined;
  return canonical ? { value: canonical } : fail(`expected a signal name like "SIGTERM", got ${describeValue(x)}`);
});

const HOST_PORT = /^(?:\[[^\]\s]+\]|[^:\s[\]]+):([0-9]{1,5})$/;

/** Why `target` is not a usable target for a probe of `type`, or undefined. */
export function healthTargetProblem(type: HealthType, target: string): string | undefined {
  if (type === "tcp") {
    const port = Number(HOST_PORT.exec(target)?.[1] ?? 0);
    return port >= 1 && port <= 65535
      ? undefined
      : `expected "host:port" with a port from 1 to 65535, got ${describeValue(target)}`;
  }
  if (type === "http") return isHttpUrl(target) ? undefined : `expected an http:// URL, got ${describeValue(target)}`;
  const argv = commandArgv(target);
  return "problems" in argv ? argv.problems[0]!.message : undefined;
}

function isHttpUrl(target: string): boolean {
  try {
    const url = new URL(target);
    return url.protocol === "http:" && url.hostname !== "";
  } catch {
    return false;
  }
}

// ---- env files and log files ---------------------------------------------------

/** Why `path` cannot name a file zinit reads or writes, or undefined. */
function filePathProblem(path: string): string | undefined {
  // Relative paths would depend on the server's cwd, which nobody controls.
  if (!path.startsWith("/")) return `expected an absolute path, got ${describeValue(path)}`;
  if (path.includes("\0")) return "must not contain a NUL character";
  if (path.endsWith("/")) return `expected a file path, got the directory ${describeValue(path)}`;
  return undefined;
}

/**
 * `env_file`: one path or an array of them, each absolute; a leading "-" marks a
 * file that may be missing. Kept as written (an array), "-" included, so that
 * `status` shows what the file says.
 */
export const envFiles = converted<string[]>((x) => {
  const list = typeof x === "string" ? [x] : x;
  if (!Array.isArray(list)) return fail(`expected an absolute path or an array of them, got ${describeValue(x)}`);
  const problems: Problem[] = [];
  list.forEach((entry: unknown, index) => {
    const at = typeof x === "string" ? undefined : index;
    if (typeof entry !== "string") {
      problems.push({ message: `expected string, got ${describeValue(entry)}`, index: at });
      return;
    }
    const p = filePathProblem(entry.startsWith("-") ? entry.slice(1) : entry);
    if (p) problems.push({ message: p, index: at });
  });
  return problems.length ? { problems } : { value: [...(list as string[])] };
});

/** `[logging] file`: an absolute path of a file (its directory is created when missing). */
export const logFilePath = converted<string>((x) => {
  if (typeof x !== "string") return fail(`expected an absolute path, got ${describeValue(x)}`);
  const p = filePathProblem(x);
  return p ? fail(p) : { value: x };
});

/** Rotated files kept: renaming thousands of files at each rotation is never what was meant. */
export const MAX_LOG_KEEP = 1000;
export const logKeep = converted<number>((x) => {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > MAX_LOG_KEEP) {
    return fail(`expected an integer from 0 to ${MAX_LOG_KEEP}, got ${describeValue(x)}`);
  }
  return { value: x };
});
