/**
 * Spawning a service and signalling its process group. Every service is its own
 * session and group (detached = setsid), so a signal to -pgid reaches the whole
 * tree: `sh -c "a | b"`, and whatever the service forked.
 */
import { closeSync } from "node:fs";
import type { ServiceConfig } from "../../sdk/config/types.ts";
import { ZinitError } from "../../sdk/errors.ts";
import { normalizeSignal } from "../../sdk/config/signals.ts";
import { readEnvFiles } from "../../sdk/config/env-files.ts";
import { outputPipe } from "../../sys/libc.ts";
import { type LineSink, readServiceOutput } from "./output.ts";
import { readPolledNow } from "./output-poller.ts";
import { resolveAccount } from "./users.ts";

export interface ProcessEnd {
  code: number | null;
  signal: string | null;
}

export interface ServiceProcess {
  pid: number;
  /** with ready_fd: true once the service wrote a newline there, false if it closed the fd first */
  ready: Promise<boolean> | null;
}

export type Spawner = (argv: string[], options: Bun.SpawnOptions.OptionsObject<"ignore", number, number>) => Bun.Subprocess<"ignore", number, number>;

const bunSpawn: Spawner = (argv, options) => Bun.spawn(argv, options);

function spawnError(argv0: string, err: unknown): ZinitError {
  const code = (err as { code?: string }).code;
  const what =
    code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "ENOTDIR" ? "not a directory" : String((err as Error).message ?? err);
  return new ZinitError("failed", `spawn failed: ${argv0}: ${what}`);
}

/** Who a service's processes run as and with which environment. */
export interface ServiceIdentity {
  env: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
}

let ownEnv: Record<string, string | undefined> | null = null;

/**
 * zinit's own environment as a plain object, copied once. It is final before a
 * role runs (main.ts puts the stashed variables back first), and spreading
 * process.env, whose values Bun materialises one by one, at every spawn was
 * more than a tenth of what the server added to a cold start's spawns.
 */
function ownEnvironment(): Record<string, string | undefined> {
  return (ownEnv ??= { ...process.env });
}

/**
 * The identity shared by a service and its exec health probes. The environment is
 * layered, later wins: zinit's own environment, then the login variables of `user`
 * (HOME, USER, LOGNAME, SHELL), then the env files in the order listed (read now,
 * so an edited file applies at the next start), then the service's `env`, so a
 * service can still set any of them itself. Throws a ZinitError for an unknown
 * user or group, and an EnvFileError for a missing or bad env file.
 */
export function serviceIdentity(config: ServiceConfig, base: Record<string, string | undefined> = ownEnvironment()): ServiceIdentity {
  const s = config.service;
  const { loginEnv, ...ids } = resolveAccount(s.user, s.group);
  const fromFiles = s.env_file.length === 0 ? {} : readEnvFiles(s.env_file);
  // Bun.spawn does not see runtime changes of process.env unless it is passed;
  // it only reads the object, so a service that adds nothing shares the base.
  const adds = hasKeys(loginEnv) || hasKeys(fromFiles) || hasKeys(s.env);
  return { env: adds ? { ...base, ...loginEnv, ...fromFiles, ...s.env } : base, ...ids };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** What a running service gives back: its output, a chunk at a time, and then its end. */
export interface ServiceListener extends LineSink {
  /** called once, from the event loop, when the group leader has exited and been reaped */
  exited(end: ProcessEnd): void;
}

export function spawnService(config: ServiceConfig, listener: ServiceListener, spawner: Spawner = bunSpawn, cgroup?: string): ServiceProcess {
  const s = config.service;
  const identity = serviceIdentity(config);
  let proc: Bun.Subprocess<"ignore", number, number>;
  // stdout and stderr are pipes of our own, read by the output poller (see
  // output-poller.ts): no timer while quiet and much lighter than the
  // ReadableStream Bun puts over a "pipe".
  const [outOurs, outTheirs] = outputPipe();
  const [errOurs, errTheirs] = outputPipe();
  // ready_fd: one more pipe at that fd number, the fds between it and stderr closed.
  const stdio = s.ready_fd === null ? {} : { stdio: ["ignore", outTheirs, errTheirs, ...Array<"ignore">(s.ready_fd - 3).fill("ignore"), "pipe"] };
  try {
    proc = spawner(s.exec, {
      cwd: s.dir ?? undefined,
      stdin: "ignore",
      stdout: outTheirs,
      stderr: errTheirs,
      ...(stdio as object),
      detached: true,
      ...identity,
      // The child joins it before it executes anything (clone3 CLONE_INTO_CGROUP).
      ...(cgroup === undefined ? {} : { cgroup }),
      onExit: (_child, code, signal) => {
        // What it wrote before it exited is taken in before its exit is handled.
        readPolledNow(outOurs);
        readPolledNow(errOurs);
        listener.exited(endOf(code, signal));
      },
    });
  } catch (err) {
    closeAll(outOurs, errOurs);
    throw spawnError(s.exec[0] ?? "", err);
  } finally {
    closeAll(outTheirs, errTheirs);
  }
  readServiceOutput(outOurs, errOurs, listener);
  const ready = s.ready_fd === null ? null : readinessOf((proc.stdio as unknown[])[s.ready_fd] as number);
  return { pid: proc.pid, ready };
}

/** A failed wait (Bun's `error`) has neither: the end is then unknown, not a success. */
function endOf(code: number | null, signal: string | number | null): ProcessEnd {
  if (signal != null) return { code: null, signal: normalizeSignal(signal) ?? String(signal) };
  return { code, signal: null };
}

function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {}
  }
}

/**
 * Resolves true at the first newline on the readiness fd (the s6 notification-fd
 * and dinit pipefd convention), false when the service closes it before. Reading
 * goes on, discarding, until the service closes its end: closing ours early would
 * kill a service that writes again with SIGPIPE.
 */
function readinessOf(fd: number): Promise<boolean> {
  return new Promise((resolve) => {
    void (async () => {
      try {
        for await (const chunk of Bun.file(fd).stream()) if (chunk.includes(10)) resolve(true);
      } catch {
        // a read error ends the wait like EOF
      } finally {
        try {
          closeSync(fd);
        } catch {}
        resolve(false);
      }
    })();
  });
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid: number, signal: string | number): boolean {
  try {
    process.kill(-pgid, signal as NodeJS.Signals);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}
