/**
 * Runs the compiled server against a temp config dir and socket, the way users run
 * it, and cleans up after itself: ordered shutdown via SIGTERM, then — if that
 * hangs — SIGKILL of every service group it knew of and of the server. Never by name.
 */
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "./paths.ts";
import { writeServices } from "./units.ts";

export interface TestServer {
  dir: string;
  configDir: string;
  socket: string;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** stdout and stderr of the server, interleaved as they arrived */
  output(): string;
  /** one of the two alone */
  outputOf(stream: "stdout" | "stderr"): string;
  /** runs the CLI against this server */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** RPC call over a fresh connection */
  rpc(method: string, params?: unknown): Promise<any>;
  stop(): Promise<number | null>;
}

export { writeServices };

export interface StartServerOptions {
  /** runs after the files are written, before the server starts (make FIFOs, remove the dir, chown...) */
  prepare?: (paths: { dir: string; configDir: string }) => void;
  /** a command the server is run under, e.g. setpriv to drop privileges */
  wrap?: string[];
}

export async function startServer(files: Record<string, string>, extraArgs: string[] = [], opts: StartServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "zinit-test-"));
  const configDir = join(dir, "services");
  Bun.spawnSync(["mkdir", "-p", configDir]);
  writeServices(configDir, files);
  opts.prepare?.({ dir, configDir });
  const socket = join(dir, "zinit.sock");
  const proc = Bun.spawn([...(opts.wrap ?? []), ZINIT, "server", "--config-dir", configDir, "--socket", socket, ...extraArgs], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  const byStream = { stdout: "", stderr: "" };
  const pump = async (name: "stdout" | "stderr", s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const c of s) {
      const text = dec.decode(c, { stream: true });
      out += text;
      byStream[name] += text;
    }
  };
  void pump("stdout", proc.stdout);
  void pump("stderr", proc.stderr);
  const rpc = (method: string, params: unknown = {}) => rpcAt(socket, method, params);
  // Ready means answering, not just a socket file on disk.
  const deadline = Date.now() + 5000;
  for (;;) {
    if (existsSync(socket)) {
      try {
        await rpc("system.info");
        break;
      } catch {}
    }
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`server did not start:\n${out}`);
    }
    await Bun.sleep(10);
  }
  const server: TestServer = {
    dir,
    configDir,
    socket,
    proc,
    output: () => out,
    outputOf: (stream) => byStream[stream],
    rpc,
    cli: (...args: string[]) => runCli(socket, ...args),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return cleanup(dir, proc.exitCode);
      let pids: number[] = [];
      try {
        pids = ((await rpc("service.list")) as { pid: number | null }[]).map((s) => s.pid).filter((p): p is number => p !== null);
      } catch {}
      proc.kill("SIGTERM");
      const code = await Promise.race([proc.exited, Bun.sleep(8000).then(() => null)]);
      if (code === null) {
        for (const pid of pids) try { process.kill(-pid, "SIGKILL"); } catch {}
        proc.kill("SIGKILL");
        await proc.exited;
      }
      return cleanup(dir, code);
    },
  };
  return server;
}

function cleanup(dir: string, code: number | null): number | null {
  rmSync(dir, { recursive: true, force: true });
  return code;
}

/** One RPC call over a fresh connection to the server listening on `socket`. */
export async function rpcAt(socket: string, method: string, params: unknown = {}): Promise<any> {
  const { ZinitClient } = await import("../../src/sdk/client.ts");
  const c = await ZinitClient.connect(socket);
  try {
    return await c.call(method as any, params as any);
  } finally {
    c.close();
  }
}

/** Runs the CLI against the server listening on `socket`. */
export async function runCli(socket: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([ZINIT, "--socket", socket, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** Polls a condition (tests only: the product itself never polls). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 5000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await Bun.sleep(stepMs);
  }
}

export async function stateOf(server: TestServer, name: string): Promise<{ state: string; reason: string; pid: number | null; restarts: number }> {
  return server.rpc("service.status", { name });
}

/**
 * Waits until `name` is in `state` (and its reason matches, if given); a timeout
 * names the last status seen. `S` is the caller's view of `service.status`.
 */
export async function waitState<S extends { state: string; reason: string } = Awaited<ReturnType<typeof stateOf>>>(
  server: TestServer,
  name: string,
  state: string,
  reason?: string | RegExp,
  timeoutMs = 5000,
): Promise<S> {
  let last: S | null = null;
  try {
    return await waitFor(
      `${name} ${state}${reason === undefined ? "" : ` (${reason})`}`,
      async () => {
        const st = (last = (await server.rpc("service.status", { name })) as S);
        if (st.state !== state) return null;
        if (reason === undefined) return st;
        return (typeof reason === "string" ? st.reason === reason : reason.test(st.reason)) ? st : null;
      },
      timeoutMs,
    );
  } catch (err) {
    const l = last as (S & { pid?: unknown; health?: unknown }) | null;
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(l && { state: l.state, reason: l.reason, pid: l.pid, health: l.health })}`);
  }
}

/** Starts a server on `files`, runs `fn`, and always stops the server; a failure carries the tail of the server's output, the best clue to it. */
export async function withServer(files: Record<string, string>, fn: (s: TestServer) => Promise<void>, opts: StartServerOptions = {}): Promise<void> {
  const s = await startServer(files, [], opts);
  try {
    await fn(s);
  } catch (err) {
    const tail = s.output().split("\n").slice(-40).join("\n");
    if (err instanceof Error) err.message += `\n--- server output (tail) ---\n${tail}`;
    throw err;
  } finally {
    await s.stop();
  }
}

/** Expects an RPC to fail; returns the JSON-RPC error number and message. */
export async function rpcError(s: TestServer, method: string, params: unknown): Promise<{ rpc: number; message: string }> {
  try {
    await s.rpc(method, params);
  } catch (err) {
    const e = err as { rpcCode: number; message: string };
    return { rpc: e.rpcCode, message: e.message };
  }
  throw new Error(`${method} ${JSON.stringify(params)} unexpectedly succeeded`);
}
