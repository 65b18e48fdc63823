/**
 * The one entry point of the multicall executable: pick the role, lazy-import it,
 * so the CLI never pays for loading the server and the other way round.
 *
 * First of all, a process started with variables that steer the Bun runtime
 * (BUN_OPTIONS, BUN_INSPECT*, ...) re-executes itself without them, in place,
 * before any role runs; see runtime-env.ts. The static imports here are small
 * and have no side effects, so nothing runs before that check.
 */
import { chooseRole } from "./roles.ts";
import { envForSelf, STASH_VAR, stashedValues, steeringOf } from "./runtime-env.ts";

await reexecIfSteered();
restoreStashedEnv();

// Not node:path or node:fs here: every Node module loaded costs each CLI call start-up time.
const { role, args } = chooseRole(process.argv0.slice(process.argv0.lastIndexOf("/") + 1), process.argv.slice(2));

switch (role) {
  case "pid1": {
    const { runPid1 } = await import("./pid1/main.ts");
    await runPid1(args);
    break;
  }
  case "server": {
    const { runServer } = await import("./server/main.ts");
    await runServer(args);
    break;
  }
  case "cli": {
    const { runCli } = await import("./cli/main.ts");
    process.exitCode = await runCli(args);
    break;
  }
}

/**
 * The same executable image (/proc/self/exe, even if the file was replaced), the
 * same argv as given (argv[0] included: it picks the role), the environment
 * without the steering variables. Returns only if execve failed; zinit then runs
 * on, steered, rather than not at all (as PID 1, not at all is a kernel panic).
 */
async function reexecIfSteered(): Promise<void> {
  const steering = Object.keys(steeringOf(process.env));
  if (steering.length === 0) return;
  const env = Object.entries(envForSelf(process.env)).map(([k, v]) => `${k}=${v}`);
  try {
    const { execve } = await import("./sys/libc.ts");
    execve("/proc/self/exe", ownArgv(), env);
  } catch (err) {
    process.stderr.write(`zinit: cannot re-execute without ${steering.join(", ")}: ${(err as Error).message}; they may affect this process\n`);
  }
}

/** argv exactly as the kernel gave it to us; process.argv as a fallback. */
function ownArgv(): string[] {
  try {
    const { readFileSync } = require("node:fs") as typeof import("node:fs");
    const parts = readFileSync("/proc/self/cmdline", "utf8").split("\0");
    parts.pop(); // the text ends with a NUL
    if (parts.length > 0) return parts;
  } catch {}
  return [process.argv0, ...process.argv.slice(2)];
}

/** Puts the stashed variables back, for the services; the stash itself goes. */
function restoreStashedEnv(): void {
  if (process.env[STASH_VAR] === undefined) return;
  Object.assign(process.env, stashedValues(process.env));
  delete process.env[STASH_VAR];
}
