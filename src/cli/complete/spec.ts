/**
 * The completion spec, read from the command registry and each verb's own
 * argument definitions, so a new verb or flag completes without being listed
 * twice. A positional argument completes by what its name says it is: `name` a
 * service (except for verbs that take a new name), `signal` a signal, `command` a
 * verb, `dir` a directory, `shell` a shell.
 */
import type { ArgsDef } from "citty";
import { COMMANDS, ROLE_COMMANDS, type CommandEntry } from "../registry.ts";
import type { CompletionSpec, FlagSpec, ValueKind, VerbSpec } from "./engine.ts";

const POSITIONAL_KIND: Record<string, ValueKind> = { name: "service", signal: "signal", command: "verb", dir: "dir", shell: "shell" };
/** Verbs whose NAME is a service that does not exist yet. */
const NEW_NAME = new Set(["create"]);
/** Flag values that are something a shell can complete (the rest are free text). */
const FLAG_VALUE_KIND: Record<string, ValueKind> = {
  file: "file",
  requires: "service",
  after: "service",
  wants: "service",
  conflicts: "service",
};

export const GLOBAL_FLAGS: FlagSpec[] = [
  { names: ["--socket"], value: "file", description: "the server's unix socket" },
  { names: ["--config-dir"], value: "dir", description: "config directory" },
  { names: ["--json"], description: "machine-readable output" },
  { names: ["-h", "--help"], description: "show usage" },
];

/** Loads every verb's module (cheap: they are small and loaded lazily only here) and builds the spec. */
export async function loadSpec(filter: (name: string) => boolean = () => true): Promise<CompletionSpec> {
  const entries = COMMANDS.filter((e) => filter(e.name));
  const defs = await Promise.all(entries.map(async (e) => resolveArgs((await e.load()).default.args)));
  const verbs = entries.flatMap((e, i) => verbSpecs(e, defs[i]!));
  for (const role of ROLE_COMMANDS) {
    if (filter(role.name)) verbs.push({ name: role.name, description: role.summary, positionals: [], variadic: false, flags: [] });
  }
  return { verbs, globalFlags: GLOBAL_FLAGS };
}

/** The verb and one spec per alias (`ls` completes exactly like `list`). */
export function verbSpecs(entry: CommandEntry, args: ArgsDef): VerbSpec[] {
  const positionals: ValueKind[] = [];
  const flags: FlagSpec[] = [];
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") {
      positionals.push(NEW_NAME.has(entry.name) && name === "name" ? "none" : (POSITIONAL_KIND[name] ?? "none"));
      continue;
    }
    const alias = "alias" in def ? def.alias : undefined;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const takesValue = def.type === "string" || def.type === "enum";
    // A switch that is on by default is only ever typed as --no-NAME.
    const names = def.type === "boolean" && def.default === true ? [`--no-${kebab}`] : [...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${kebab}`];
    flags.push({ names, value: takesValue ? (FLAG_VALUE_KIND[name] ?? "none") : undefined, description: def.description ?? "" });
  }
  const spec = { name: entry.name, description: entry.summary, positionals, variadic: entry.variadic === true, flags };
  return [spec, ...(entry.aliases ?? []).map((a) => ({ ...spec, name: a, description: `same as ${entry.name}` }))];
}

async function resolveArgs(args: unknown): Promise<ArgsDef> {
  const value = typeof args === "function" ? await (args as () => unknown)() : await args;
  return (value ?? {}) as ArgsDef;
}
