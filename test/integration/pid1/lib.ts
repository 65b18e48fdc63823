/**
 * Runs the compiled zinit as PID 1 of a fresh PID namespace, the way a container
 * runtime does, and looks at that namespace from the host:
 *
 *   unshare --pid --fork --mount-proc --kill-child=SIGKILL <argv...>
 *
 * `unshare` forks; its child is PID 1 in the new namespace (`init` below is that
 * child's host pid). `--kill-child` makes the kernel SIGKILL PID 1 if `unshare`
 * dies, and PID 1 dying kills the whole namespace: so cleanup is one SIGKILL to the
 * unshare process, by pid. The control socket is a file in a temp dir, reachable
 * from the host. Never by name, never the host's /run/zinit.sock or /etc/zinit.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { childPids, cmdline, nsPidOf, pidsWithText, subtree } from "../../helpers/proc.ts";
import { runCli, waitFor } from "../../helpers/server.ts";
import { service as serviceFile, type ServiceSpec, writeServices } from "../../helpers/units.ts";

export { ZINIT, runCli, waitFor, nsPidOf, writeServices };
/** Every host process whose cmdline contains `needle` (to prove nothing outlived a run). */
export const hostProcsWith = pidsWithText;
export const asRoot = process.getuid!() === 0;

export interface NsProc {
  /** host pid */
  pid: number;
  ppid: number;
  /** one letter from /proc/PID/stat: R, S, D, Z, T, ... */
  state: string;
  comm: string;
  /** NUL-separated argv joined with spaces; empty for zombies and kernel threads */
  cmdline: string;
}

export interface Pid1Run {
  dir: string;
  configDir: string;
  socket: string;
  unshare: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** host pid of the namespace's PID 1 */
  init: number;
  output(): string;
  /** every process of the namespace (PID 1 and all its descendants), host pids */
  procs(): NsProc[];
  zombies(): NsProc[];
  /** processes of the namespace whose cmdline is exactly `cmd` (args joined by spaces) */
  running(cmd: string): NsProc[];
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  list(): Promise<{ name: string; state: string; pid: number | null }[]>;
  /** exit status of `unshare` (= of PID 1), or null if it was not done within timeoutMs */
  waitExit(timeoutMs: number): Promise<number | null>;
  /** SIGKILL to unshare (and so to the namespace) if still running, then rm -rf the temp dir */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  /** the command run as PID 1; default: dist/zinit pid1 --container --config-dir D --socket S */
  argv?: (configDir: string, socket: string, dir: string) => string[];
  env?: Record<string, string | undefined>;
  /** wait until the socket answers `list` (default true) */
  waitReady?: boolean;
  /** the control socket as seen from the host (default: z.sock in the temp dir) */
  socket?: string;
  /** unshare's options (default: --pid --fork --mount-proc --kill-child=SIGKILL) */
  unshare?: string[];
  /** how long to wait for the socket to answer (default 10 s) */
  readyTimeoutMs?: number;
}

/**
 * PID 1 of a namespace and all its descendants, zombies included: every process
 * of a PID namespace descends from its init.
 */
export function namespaceProcs(init: number): NsProc[] {
  return subtree(init).map(({ pid, ppid, state, comm }) => ({ pid, ppid, state, comm, cmdline: cmdline(pid) }));
}

export async function listServices(socket: string): Promise<{ name: string; state: string; pid: number | null }[]> {
  const r = await runCli(socket, "list", "--json");
  if (r.code !== 0) throw new Error(`zinit list exited ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** The host pid of unshare's only child (PID 1 of the new namespace). */
export async function childOf(pid: number, timeoutMs = 5000): Promise<number> {
  return waitFor(`the child of ${pid}`, () => childPids(pid)[0] ?? null, timeoutMs, 5);
}

export async function startPid1(files: Record<string, string>, opts: StartOptions = {}): Promise<Pid1Run> {
  const dir = mkdtempSync(join(tmpdir(), "zinit-pid1-"));
  const configDir = join(dir, "services");
  mkdirSync(configDir);
  writeServices(configDir, files);
  const socket = opts.socket ?? join(dir, "z.sock");
  const argv = opts.argv ? opts.argv(configDir, socket, dir) : [ZINIT, "pid1", "--container", "--config-dir", configDir, "--socket", socket];
  // Only what the test asks for decides the mode and paths, not the caller's environment.
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ZINIT_GRACE_MS: "500" };
  for (const k of ["ZINIT_CONTAINER", "ZINIT_SOCKET", "ZINIT_CONFIG_DIR"]) delete env[k];
  Object.assign(env, opts.env);
  const unshare = Bun.spawn(["unshare", ...(opts.unshare ?? ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL"]), ...argv], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env,
  });
  let out = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const c of s) out += dec.decode(c, { stream: true });
  };
  const pumped = Promise.all([pump(unshare.stdout), pump(unshare.stderr)]);
  let exitCode: number | null = null;
  void unshare.exited.then((c) => (exitCode = c));

  const run: Pid1Run = {
    dir,
    configDir,
    socket,
    unshare,
    init: 0,
    output: () => out,
    procs: () => namespaceProcs(run.init),
    zombies: () => run.procs().filter((p) => p.state === "Z"),
    running: (cmd) => run.procs().filter((p) => p.state !== "Z" && p.cmdline === cmd),
    cli: (...args) => runCli(socket, ...args),
    list: () => listServices(socket),
    async waitExit(timeoutMs) {
      const code = await Promise.race([unshare.exited, Bun.sleep(timeoutMs).then(() => null)]);
      if (code !== null) await Promise.race([pumped, Bun.sleep(500)]);
      return code;
    },
    async cleanup() {
      if (exitCode === null) {
        try {
          unshare.kill("SIGKILL");
        } catch {}
        await unshare.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    run.init = await childOf(unshare.pid);
    if (opts.waitReady !== false) {
      await waitFor(`the socket ${socket} to answer`, async () => existsSync(socket) && (await run.list()), opts.readyTimeoutMs ?? 10_000, 50);
    }
  } catch (err) {
    await run.cleanup();
    throw new Error(`${(err as Error).message}\n--- output ---\n${out}`);
  }
  return run;
}

/** The zinit server process inside the namespace: PID 1's child whose cmdline has `server`. */
export function serverOf(run: Pid1Run): NsProc | undefined {
  return run.procs().find((p) => p.ppid === run.init && p.state !== "Z" && / server( |$)/.test(p.cmdline));
}

/** A service file running `/bin/sh -c script` (or the argv given); short stop timeout by default. */
export function service(exec: string | string[], spec: ServiceSpec = {}): string {
  const argv = typeof exec === "string" ? ["/bin/sh", "-c", exec] : exec;
  return serviceFile(argv, { ...spec, lifecycle: { stop_timeout_ms: 1000, ...spec.lifecycle } });
}

/** Starts PID 1 on `files`, runs `fn`, attaches the output tail to a failure, always cleans up. */
export async function withPid1(files: Record<string, string>, fn: (run: Pid1Run) => Promise<void>, opts: StartOptions = {}): Promise<void> {
  const run = await startPid1(files, opts);
  try {
    await fn(run);
  } catch (err) {
    const tail = run.output().split("\n").slice(-40).join("\n");
    if (err instanceof Error) err.message += `\n--- zinit output (tail) ---\n${tail}`;
    throw err;
  } finally {
    await run.cleanup();
  }
}
