/**
 * Multicall role selection, pure. The role comes from the name the
 * executable was invoked by (basename of process.argv0: in a compiled Bun binary
 * argv[0] is always "bun") or, for the plain `zinit` name, from the first argument.
 */
export type Role = "pid1" | "server" | "cli";

export interface RoleChoice {
  role: Role;
  /** the arguments left for that role */
  args: string[];
}

const BY_NAME: Record<string, Role> = {
  "zinit-pid1": "pid1",
  init: "pid1",
  "zinit-server": "server",
};

/**
 * argv[0] for a copy of ourselves that zinit starts (pid1 starting the server): a
 * name that picks no role, so the subcommand given after it decides. The file may
 * be called zinit-pid1 or init (a copy, not a link), and its name must not win.
 */
export const SELF_SPAWN_ARGV0 = "zinit";

export function chooseRole(invokedAs: string, args: string[]): RoleChoice {
  const base = invokedAs.split("/").pop() ?? invokedAs;
  const byName = BY_NAME[base];
  if (byName) return { role: byName, args };
  const [first, ...rest] = args;
  if (first === "server") return { role: "server", args: rest };
  if (first === "pid1") return { role: "pid1", args: rest };
  return { role: "cli", args };
}
