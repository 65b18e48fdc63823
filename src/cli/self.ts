/**
 * How the CLI starts another zinit command (the repl runs each line this way, so
 * Ctrl-C can end just that command). The compiled executable starts its own
 * image again; under `bun src/main.ts` the runtime is given the script. argv[0] is
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
  if (!compiled) return { cmd: [process.execPath, script], argv0: process.execPath };
  // On Linux the image this process runs, even after the file was replaced (an
  // upgrade, a rebuild) or removed: the path itself would then name another file or none.
  return { cmd: [process.platform === "linux" ? "/proc/self/exe" : process.execPath], argv0: SELF_SPAWN_ARGV0 };
}
