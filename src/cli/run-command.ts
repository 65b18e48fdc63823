/**
 * Runs a command's citty definition without citty's runner: citty parses with
 * node:util's parseArgs, and loading node:util costs every CLI call ~1.9 ms of
 * start-up (measured, compiled with bytecode), about a fifth of a whole
 * `zinit status`. The tokens have already been checked by validateArgs (every
 * option known, values present, positional count right), so what is left is
 * the mapping citty does: options by name and alias, `--no-FLAG` for a false
 * boolean, positionals by name in order and all of them in `_`, defaults.
 * test/unit/cli/run-command.test.ts holds it to citty's own parser.
 */
import type { ArgsDef, CommandContext, CommandDef } from "citty";

export type ParsedArgs = Record<string, unknown> & { _: string[] };

/** The `args` citty would give a command for `tokens`. */
export function parseCommandArgs(tokens: readonly string[], def: ArgsDef): ParsedArgs {
  const byFlag = new Map<string, { names: string[]; boolean: boolean }>();
  for (const [name, arg] of Object.entries(def)) {
    if (arg.type === "positional") continue;
    const alias = "alias" in arg && arg.alias !== undefined ? (Array.isArray(arg.alias) ? arg.alias : [arg.alias]) : [];
    const names = [...new Set([name, kebab(name), camel(name), ...alias])];
    const entry = { names, boolean: arg.type === "boolean" };
    for (const n of names) byFlag.set(n.length === 1 ? `-${n}` : `--${n}`, entry);
  }
  const args: ParsedArgs = { _: [] };
  const set = (names: string[], value: unknown) => {
    for (const n of names) args[n] = value;
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "--") {
      args._.push(...tokens.slice(i + 1));
      break;
    }
    if (!tok.startsWith("-") || tok === "-") {
      args._.push(tok);
      continue;
    }
    const eq = tok.indexOf("=");
    const key = eq > 0 ? tok.slice(0, eq) : tok;
    const negated = key.startsWith("--no-") ? byFlag.get(`--${key.slice(5)}`) : undefined;
    if (negated?.boolean && !byFlag.has(key)) {
      set(negated.names, false);
      continue;
    }
    const opt = byFlag.get(key);
    if (opt === undefined) continue; // validateArgs has refused unknown options already
    if (opt.boolean) set(opt.names, eq > 0 ? tok.slice(eq + 1) !== "false" : true);
    else set(opt.names, eq > 0 ? tok.slice(eq + 1) : tokens[++i]);
  }
  const positionals = [...args._];
  for (const [name, arg] of Object.entries(def)) {
    if (arg.type === "positional") {
      const value = positionals.shift();
      if (value !== undefined || arg.default !== undefined) args[name] = value ?? arg.default;
    } else if (args[name] === undefined && arg.default !== undefined) {
      const alias = "alias" in arg && arg.alias !== undefined ? (Array.isArray(arg.alias) ? arg.alias : [arg.alias]) : [];
      set([...new Set([name, kebab(name), camel(name), ...alias])], arg.default);
    }
  }
  return args;
}

/** What citty's runCommand does for a command without sub-commands or plugins; resolves to `run`'s result. */
// biome-ignore lint/suspicious/noExplicitAny: any command, whatever its args
export async function runCommandDef(def: CommandDef<any>, argsDef: ArgsDef, tokens: string[], data: unknown): Promise<unknown> {
  const context = { rawArgs: tokens, args: parseCommandArgs(tokens, argsDef), data, cmd: def } as unknown as CommandContext<ArgsDef>;
  await def.setup?.(context);
  try {
    return await def.run?.(context);
  } finally {
    await def.cleanup?.(context);
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
