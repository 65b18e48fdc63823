/**
 * One health probe of each kind (see docs/configuration.md), each bounded by its timeout and
 * resolving — never rejecting — to a verdict with a short error a person can read.
 */
import type { Health, ServiceConfig } from "../../sdk/config/types.ts";
import { ZinitError } from "../../sdk/errors.ts";
import { serviceIdentity, signalGroup } from "./process.ts";

export interface ProbeResult {
  ok: boolean;
  error: string | null;
}

export type ProbeSpawner = (
  argv: string[],
  options: Bun.SpawnOptions.OptionsObject<"ignore", "ignore", "ignore">,
) => Bun.Subprocess<"ignore", "ignore", "ignore">;

const pass: ProbeResult = { ok: true, error: null };
const fail = (error: string): ProbeResult => ({ ok: false, error });

function splitHostPort(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(":");
  const host = target.slice(0, i).replace(/^\[(.*)\]$/, "$1");
  return { host: host || "127.0.0.1", port: Number(target.slice(i + 1)) };
}

export function probeTcp(target: string, timeoutMs: number): Promise<ProbeResult> {
  const { host, port } = splitHostPort(target);
  // node:net on first use: loading it costs every server start ~3 ms, most have no tcp probe.
  const { createConnection } = require("node:net") as typeof import("node:net");
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(fail(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once("connect", () => done(pass));
    socket.once("error", (err: NodeJS.ErrnoException) => done(fail(err.code === "ECONNREFUSED" ? "connection refused" : (err.code ?? err.message))));
  });
}

export async function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    // The body is never read: a health endpoint that streams must not cost memory.
    await res.body?.cancel().catch(() => {});
    return res.status >= 200 && res.status < 400 ? pass : fail(`HTTP ${res.status}`);
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    if (e.name === "TimeoutError" || e.name === "AbortError") return fail(`timed out after ${timeoutMs} ms`);
    if (e.code === "ConnectionRefused" || e.code === "ECONNREFUSED") return fail("connection refused");
    return fail(e.code ?? e.message ?? String(err));
  }
}

export async function probeExec(argv: string[], config: ServiceConfig, timeoutMs: number, spawn: ProbeSpawner): Promise<ProbeResult> {
  const s = config.service;
  let proc: Bun.Subprocess<"ignore", "ignore", "ignore">;
  try {
    proc = spawn(argv, {
      cwd: s.dir ?? undefined,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
      // the service's own user and environment, login variables included
      ...serviceIdentity(config),
    });
  } catch (err) {
    // A bad env file or an unknown user says so in its own words.
    if (err instanceof ZinitError) return fail(`cannot run ${argv[0]}: ${err.message}`);
    return fail(`cannot run ${argv[0]}: ${(err as { code?: string }).code ?? String(err)}`);
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(proc.pid, "SIGKILL");
  }, timeoutMs);
  await proc.exited.catch(() => {});
  clearTimeout(timer);
  if (timedOut) return fail(`timed out after ${timeoutMs} ms`);
  if (proc.signalCode) return fail(`probe killed by ${proc.signalCode}`);
  return proc.exitCode === 0 ? pass : fail(`exit code ${proc.exitCode}`);
}

export function probe(health: Health, config: ServiceConfig, spawn: ProbeSpawner): Promise<ProbeResult> {
  switch (health.type) {
    case "tcp":
      return probeTcp(health.target, health.timeout_ms);
    case "http":
      return probeHttp(health.target, health.timeout_ms);
    case "exec":
      return probeExec(health.argv ?? [], config, health.timeout_ms, spawn);
  }
}
