/**
 * How the CLI starts another zinit command (the repl runs each line this way, so
 * Ctrl-C can end just that command). The compiled executable is started by its
 * own path; under `bun src/main.ts` the runtime is given the script. argv[0] is
 * plain "zinit" so the child is a CLI even when this file is called zinit-pid1.
 */
import { SELF_SPAWN_ARGV0 } from "../roles.ts";

export interface SelfCommand {
  cmd: string[];
  argv0: string;
}

export function selfCommand(): SelfCommand {
  const script = process.argv[1];
  const compiled = script === undefined || script.startsWith("/$bunfs/") || !/\.[cm]?[jt]s$/.test(script);
  return { cmd: compiled ? [process.execPath] : [process.execPath, script], argv0: compiled ? SELF_SPAWN_ARGV0 : process.execPath };
}
