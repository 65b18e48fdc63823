/**
 * Usage texts. The first line is always `usage: zinit ...`, the rule every role
 * follows (`usage: zinit-server ...`, `usage: zinit-pid1 ...`), so scripts and tests
 * can tell which role answered.
 */
import type { ArgsDef } from "citty";

export interface UsageCommand {
  name: string;
  synopsis: string;
  summary: string;
  partial?: boolean;
  aliases?: string[];
}

export const GLOBAL_OPTIONS: [string, string][] = [
  ["--socket PATH", "the server's unix socket (default: $ZINIT_SOCKET, else the platform's; not root: yours, then the system's)"],
  ["--json", "machine-readable output"],
  ["--config-dir DIR", "config directory for `check` (default: $ZINIT_CONFIG_DIR or the platform's)"],
  ["-h, --help", "show usage"],
];

/** What a usage error shows when no command is known: the synopsis and where to look. */
export function renderMainHint(): string {
  return `${MAIN_SYNOPSIS}\nRun \`zinit --help\` for the list of commands.`;
}

export const MAIN_SYNOPSIS = "usage: zinit [--socket PATH] [--json] COMMAND [ARGS...]";

export function renderMainUsage(commands: readonly UsageCommand[], version: string): string {
  const lines = [MAIN_SYNOPSIS, "", `zinit ${version}: a process supervisor with dependency management.`, "", "commands:"];
  const labels = commands.map((c) => (c.synopsis ? `${c.name} ${shortSynopsis(c.synopsis)}` : c.name));
  const width = Math.min(32, Math.max(...labels.map((l) => l.length)));
  commands.forEach((c, i) => {
    const label = labels[i]!;
    let summary = c.partial ? `${c.summary} [partial]` : c.summary;
    if (c.aliases?.length) summary += ` (also: ${c.aliases.join(", ")})`;
    lines.push(label.length > width ? `  ${label}\n  ${"".padEnd(width)}  ${summary}` : `  ${label.padEnd(width)}  ${summary}`);
  });
  lines.push("", "global options (before or after the command):");
  lines.push(...columns(GLOBAL_OPTIONS));
  lines.push("", "Run `zinit COMMAND --help` for a command's options.");
  lines.push("Exit codes: 0 ok, 1 failed or refused, 2 usage error, 3 service not found, 4 server unreachable.");
  return lines.join("\n");
}

/** The first line of a command's usage. */
export function commandSynopsis(cmd: UsageCommand): string {
  return `usage: zinit ${cmd.name}${cmd.synopsis ? ` ${cmd.synopsis}` : ""}`;
}

/** A command's full usage; `description` (its meta description) replaces the short summary. */
export function renderCommandUsage(cmd: UsageCommand, args: ArgsDef, description?: string): string {
  const lines = [commandSynopsis(cmd), "", description ?? cmd.summary];
  const options: [string, string][] = [];
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const alias = "alias" in def ? def.alias : undefined;
    const aliases: string[] = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    const flags = [...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${name}`].join(", ");
    const value = def.type === "string" || def.type === "enum" ? ` ${def.valueHint ?? name.toUpperCase()}` : "";
    // A boolean that defaults to true is turned off with --no-NAME.
    const negative = def.type === "boolean" && def.default === true;
    const shown = negative ? `--no-${name}` : flags + value;
    let text = (negative && "negativeDescription" in def ? def.negativeDescription : def.description) ?? "";
    if (def.default !== undefined && def.type !== "boolean") text += ` (default ${String(def.default)})`;
    options.push([shown, text]);
  }
  if (options.length > 0) lines.push("", "options:", ...columns(options));
  lines.push("", "global options:", ...columns(GLOBAL_OPTIONS));
  return lines.join("\n");
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`.trimEnd());
}

/** Long synopses keep their positional words and fold the options into "[options]". */
function shortSynopsis(s: string): string {
  if (s.length <= 30) return s;
  const words = s.split(" ");
  const cut = words.findIndex((w) => w.startsWith("[-") || w.startsWith("("));
  return cut < 0 ? s : [...words.slice(0, cut), "[options]"].join(" ");
}
