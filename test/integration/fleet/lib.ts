/**
 * Helpers of the fleet scenarios (probes, metrics, watching): running the compiled
 * executable to the end, a server started by hand when the test wants to see it
 * fail, HTTP scrapes, and promtool.
 */
import { ZINIT } from "../../helpers/paths.ts";

export { freePort } from "../health/lib.ts";
export { startServer, waitFor, withServer, type TestServer } from "../../helpers/server.ts";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `cmd` to its end, with a bound: a hang is a failure, not a stuck suite. */
export async function runCmd(
  cmd: string[],
  opts: { stdin?: string; env?: Record<string, string | undefined>; timeoutMs?: number; cwd?: string } = {},
): Promise<Ran> {
  const t0 = performance.now();
  const p = Bun.spawn(cmd, {
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    timeout: opts.timeoutMs ?? 20_000,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

/** The zinit CLI to its end. */
export function zinit(...args: string[]): Promise<Ran> {
  return runCmd([ZINIT, ...args]);
}

/** `promtool check metrics` on `text`: its exit status and what it said. */
export function promtoolCheck(text: string): Promise<Ran> {
  return runCmd(["promtool", "check", "metrics"], { stdin: text });
}

/** GET (or another method) of a URL: status, content type and body. */
export async function http(url: string, method = "GET"): Promise<{ status: number; type: string | null; body: string; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(url, { method });
  const body = await r.text();
  return { status: r.status, type: r.headers.get("content-type"), body, ms: performance.now() - t0 };
}
