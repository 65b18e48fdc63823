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
  /** the array element the problem is in, for `exec.2: ...` */
  index?: number;
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
        const input = dataset.value as unknown[];
        addIssue({
          message,
          path:
            index === undefined ? undefined : [{ type: "array", origin: "value", input, key: index, value: input[index] }],
        });
      }
      return NEVER;
    }),
  );
}

export function isTable(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Date);
}

/** valibot takes any JS object for a table; TOML arrays and datetimes are objects too. */
export const tableOnly = v.custom<Record<string, unknown>>(
  isTable,
  (issue) => `expected table, got ${describeValue(issue.input)}`,
);

/**
 * A TOML table that reports every unknown key: valibot's strictObject stops at the
 * first. objectWithRest types its output with a `never` index signature that
 * would swallow the known keys; at run time the output holds only the known keys,
 * so it is typed as the strictObject it behaves like.
 */
export function table<E extends v.ObjectEntries>(entries: E, rest: v.GenericSchema = v.never()) {
  return v.pipe(tableOnly, v.objectWithRest(entries, rest)) as unknown as v.StrictObjectSchema<E, undefined>;
}

export function integer(min: 0 | 1) {
  const expected = min === 0 ? "a non-negative integer" : "a positive integer";
  return converted((x) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < min) return fail(`expected ${expected}, got ${describeValue(x)}`);
    if (x > INT_MAX) return fail(`expected at most ${INT_MAX}, got ${x}`);
    return { value: x };
  });
}

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

const envKey = v.pipe(
  v.string(),
  v.check(
    (k) => k !== "" && !k.includes("=") && !k.includes("\0"),
    (issue) => `expected a variable name (non-empty, without "="), got ${describeValue(issue.input)}`,
  ),
);
const envValue = v.pipe(
  v.string(),
  v.check((s) => !s.includes("\0"), "must not contain a NUL character"),
);
export const environment = v.pipe(tableOnly, v.record(envKey, envValue));

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
