/**
 * Argument normalisation, done once at the entrance before citty sees anything.
 * Global flags (`--socket`, `--json`, `--config-dir`, `--help`) may stand before or
 * after the command, so they are pulled out of argv first; then the command's own
 * tokens are checked strictly (citty accepts unknown flags silently), so a typo is a
 * usage error naming the flag instead of being ignored.
 */
import type { ArgsDef } from "citty";

export interface GlobalFlags {
  socket?: string;
  configDir?: string;
  json: boolean;
  help: boolean;
  version: boolean;
}

/** A mistake in how zinit was called: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** the command whose usage to show, if known */
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export function emptyGlobals(): GlobalFlags {
  return { json: false, help: false, version: false };
}

// A Map, not an object: a token like `__proto__` or `constructor` is a service
// name, and must never be found as an inherited property of a lookup table.
const GLOBAL_VALUE = new Map<string, "socket" | "configDir">([
  ["--socket", "socket"],
  ["--config-dir", "configDir"],
]);

/**
 * If argv[i] is a global flag, records it and returns how many tokens it used
 * (1 or 2); 0 when it is not a global flag.
 */
function takeGlobal(argv: readonly string[], i: number, g: GlobalFlags): number {
  const tok = argv[i]!;
  if (tok === "--json") return (g.json = true), 1;
  if (tok === "--help" || tok === "-h") return (g.help = true), 1;
  if (tok === "--version") return (g.version = true), 1;
  const eq = tok.indexOf("=");
  const key = eq > 0 ? tok.slice(0, eq) : tok;
  const field = GLOBAL_VALUE.get(key);
  if (!field) return 0;
  if (eq > 0) {
    g[field] = requireValue(key, tok.slice(eq + 1));
    return 1;
  }
  const value = argv[i + 1];
  if (value === undefined) throw new UsageError(`option ${key} needs a value`);
  g[field] = requireValue(key, value);
  return 2;
}

function requireValue(key: string, value: string): string {
  if (value === "") throw new UsageError(`option ${key} needs a non-empty value`);
  return value;
}

export interface SplitArgv {
  globals: GlobalFlags;
  command: string | undefined;
  /** everything after the command word, global flags in it not yet removed */
  rest: string[];
}

/** Global flags before the command, the command word, and the untouched rest. */
export function splitCommand(argv: readonly string[]): SplitArgv {
  const globals = emptyGlobals();
  for (let i = 0; i < argv.length; ) {
    const tok = argv[i]!;
    const used = takeGlobal(argv, i, globals);
    if (used > 0) {
      i += used;
      continue;
    }
    if (tok === "--") {
      const command = argv[i + 1];
      return { globals, command, rest: argv.slice(i + 2) };
    }
    if (tok.startsWith("-") && tok !== "-") throw new UsageError(`unknown option ${tok.split("=")[0]}`);
    return { globals, command: tok, rest: argv.slice(i + 1) };
  }
  return { globals, command: undefined, rest: [] };
}

/** The flag spellings of one option: `--lines`, `-n`, camel and kebab forms. */
function spellings(name: string, alias: string | string[] | undefined): string[] {
  const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
  const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const names = new Set([name, kebab, camel, ...aliases]);
  return [...names].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
}

interface OptionInfo {
  takesValue: boolean;
}

function optionTable(def: ArgsDef): Map<string, OptionInfo> {
  const table = new Map<string, OptionInfo>();
  for (const [name, arg] of Object.entries(def)) {
    if (arg.type === "positional") continue;
    const takesValue = arg.type === "string" || arg.type === "enum";
    for (const flag of spellings(name, "alias" in arg ? arg.alias : undefined)) {
      table.set(flag, { takesValue });
      if (!takesValue && flag.startsWith("--")) table.set(`--no-${flag.slice(2)}`, { takesValue: false });
    }
  }
  return table;
}

/** Removes global flags from the command's tokens (recording them), skipping the command's own flag values. */
export function extractGlobals(rest: readonly string[], def: ArgsDef, globals: GlobalFlags): string[] {
  const options = optionTable(def);
  const out: string[] = [];
  for (let i = 0; i < rest.length; ) {
    const tok = rest[i]!;
    if (tok === "--") {
      out.push(...rest.slice(i));
      break;
    }
    const used = takeGlobal(rest, i, globals);
    if (used > 0) {
      i += used;
      continue;
    }
    out.push(tok);
    i++;
    if (options.get(tok)?.takesValue && i < rest.length) out.push(rest[i++]!);
  }
  return out;
}

export interface ValidateOptions {
  /** the last positional argument may repeat (NAME...) */
  variadic?: boolean;
  command: string;
}

/**
 * Checks the command's tokens against its argument definitions: every option
 * known, every value-taking option given a value, the number of positional
 * arguments right. Throws UsageError naming the problem.
 */
export function validateArgs(tokens: readonly string[], def: ArgsDef, opts: ValidateOptions): void {
  const options = optionTable(def);
  const positionals = Object.entries(def).filter(([, a]) => a.type === "positional");
  const required = positionals.filter(([, a]) => a.required !== false && a.default === undefined);
  const given: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "--") {
      given.push(...tokens.slice(i + 1));
      break;
    }
    if (tok.startsWith("-") && tok !== "-") {
      const eq = tok.indexOf("=");
      const key = eq > 0 ? tok.slice(0, eq) : tok;
      const info = options.get(key);
      if (!info) throw new UsageError(`unknown option ${key}`, opts.command);
      if (info.takesValue && eq < 0) {
        if (i + 1 >= tokens.length) throw new UsageError(`option ${key} needs a value`, opts.command);
        i++;
      }
      continue;
    }
    given.push(tok);
  }
  if (given.length < required.length) {
    const missing = required[given.length]![0].toUpperCase();
    throw new UsageError(`missing argument ${missing}`, opts.command);
  }
  if (!opts.variadic && given.length > positionals.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(given[positionals.length])}`, opts.command);
  }
}

/** Every value of a repeatable option (`--after a --after b,c`), in order; commas split too. */
export function collectRepeated(tokens: readonly string[], flags: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "--") break;
    const eq = tok.indexOf("=");
    const key = eq > 0 ? tok.slice(0, eq) : tok;
    if (!flags.includes(key)) continue;
    const value = eq > 0 ? tok.slice(eq + 1) : tokens[++i];
    if (value === undefined) continue;
    values.push(...value.split(",").map((v) => v.trim()).filter(Boolean));
  }
  return values;
}
