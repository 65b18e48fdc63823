/**
 * Every CLI verb: its synopsis and one-line summary for the usage text, and a lazy
 * loader for its module (one file per verb under commands/), so `zinit list` never
 * loads the code of `zinit check`.
 */
import type { CommandDef } from "citty";

export interface CommandEntry {
  name: string;
  /** what follows the command name in the usage line */
  synopsis: string;
  summary: string;
  /** takes any number of NAME arguments */
  variadic?: boolean;
  /** other names for the verb (the Rust zinit's `ls`, `tree`), so existing scripts keep working */
  aliases?: string[];
  /** not finished yet; listed so users know it is coming */
  partial?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: commands differ in their args; citty erases them the same way
  load: () => Promise<{ default: CommandDef<any> }>;
}

const entries: CommandEntry[] = [
  { name: "list", aliases: ["ls"], synopsis: "", summary: "services: name, state, pid, uptime, restarts, health", load: () => import("./commands/list.ts") },
  { name: "status", synopsis: "NAME...", summary: "full status of each service", variadic: true, load: () => import("./commands/status.ts") },
  { name: "start", synopsis: "NAME... [--timeout S] [--no-wait]", summary: "start and wait until settled", variadic: true, load: () => import("./commands/start.ts") },
  { name: "stop", synopsis: "NAME... [--timeout S] [--no-wait]", summary: "stop and wait until settled", variadic: true, load: () => import("./commands/stop.ts") },
  { name: "restart", synopsis: "NAME... [--timeout S] [--no-wait]", summary: "restart and wait until settled", variadic: true, load: () => import("./commands/restart.ts") },
  { name: "kill", synopsis: "NAME [SIGNAL]", summary: "send a signal to a service's process group (default SIGTERM)", load: () => import("./commands/kill.ts") },
  { name: "logs", synopsis: "[NAME...] [-n N] [-f] [--since T]", summary: "buffered output of some or all services, then new lines with -f", variadic: true, load: () => import("./commands/logs.ts") },
  { name: "reload", synopsis: "", summary: "re-read the config directories and apply the difference", load: () => import("./commands/reload.ts") },
  { name: "create", synopsis: "NAME (-f FILE | --exec CMD [--oneshot] [--requires X]... [--after X]... [--wants X]...)", summary: "write a service file and load it", load: () => import("./commands/create.ts") },
  { name: "delete", synopsis: "NAME", summary: "stop, unload and remove a service", load: () => import("./commands/delete.ts") },
  { name: "start-all", synopsis: "", summary: "start every user-class service (not ignored ones)", load: () => import("./commands/start-all.ts") },
  { name: "stop-all", synopsis: "", summary: "stop every user-class service", load: () => import("./commands/stop-all.ts") },
  { name: "delete-all", synopsis: "", summary: "delete every user-class service", load: () => import("./commands/delete-all.ts") },
  { name: "graph", aliases: ["tree"], synopsis: "[NAME] [--dot]", summary: "dependency tree (or Graphviz dot)", load: () => import("./commands/graph.ts") },
  { name: "why", synopsis: "NAME", summary: "what a blocked/failed service waits for or died of", load: () => import("./commands/why.ts") },
  { name: "check", synopsis: "[DIR]", summary: "validate a config directory offline, no server needed", load: () => import("./commands/check.ts") },
  { name: "health", synopsis: "[NAME...] [--timeout S]", summary: "exit 0 when every service that should be up is up and healthy, else 1 and why", variadic: true, load: () => import("./commands/health.ts") },
  { name: "metrics", synopsis: "", summary: "the server's metrics in the Prometheus text format (as GET /metrics)", load: () => import("./commands/metrics.ts") },
  { name: "info", synopsis: "", summary: "the server's version, mode, pid, uptime and paths", load: () => import("./commands/info.ts") },
  { name: "shutdown", synopsis: "", summary: "stop every service in order and end the server", load: () => import("./commands/shutdown.ts") },
  { name: "reboot", synopsis: "", summary: "ordered shutdown, then reboot (VM mode)", load: () => import("./commands/reboot.ts") },
  { name: "poweroff", synopsis: "", summary: "ordered shutdown, then power off (VM mode)", load: () => import("./commands/poweroff.ts") },
  { name: "tui", synopsis: "", summary: "full-screen live view: filter, sort, memory and CPU, logs, start/stop/restart", load: () => import("./commands/tui.ts") },
  { name: "repl", synopsis: "", summary: "interactive shell: completion, history, Ctrl-C cancels a command", load: () => import("./commands/repl.ts") },
  { name: "install-links", synopsis: "DIR [--init]", summary: "create zinit-server, zinit-pid1 (and init) symlinks in DIR", load: () => import("./commands/install-links.ts") },
  { name: "completion", synopsis: "bash|zsh|fish", summary: "print a shell completion script (verbs, flags, signals, live service names)", load: () => import("./commands/completion.ts") },
  { name: "version", synopsis: "", summary: "print zinit's version", load: () => import("./commands/version.ts") },
  { name: "help", synopsis: "[COMMAND]", summary: "this text, or a command's usage", load: () => import("./commands/help.ts") },
];

export const COMMANDS: readonly CommandEntry[] = entries;

/** The other roles, reachable as `zinit server ...` and `zinit pid1 ...`. */
export const ROLE_COMMANDS: readonly { name: string; synopsis: string; summary: string }[] = [
  { name: "server", synopsis: "...", summary: "run the supervisor daemon (zinit-server)" },
  { name: "pid1", synopsis: "...", summary: "run the PID 1 shim (zinit-pid1)" },
];

/** The verb called `name`, or having it as an alias. */
export function findCommand(name: string): CommandEntry | undefined {
  return entries.find((e) => e.name === name || e.aliases?.includes(name));
}
