/**
 * Variables meant for the Bun runtime (BUN_OPTIONS, BUN_INSPECT, NODE_OPTIONS)
 * must not steer zinit's own processes, while services still get them as given.
 *
 * Bun acts on them before zinit's first line runs, so the very first process
 * image is steered whatever we do: a --preload file runs once. zinit then
 * re-executes itself in place (same pid) without them, so nothing the preload set
 * up (here: a timer writing "tick" lines), no debugger listener and no child zinit
 * is steered. The marker file written by the preload shows both: one "preload"
 * line, by the pid that goes on to serve, and no "tick" at all.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asRoot, listServices, nsPidOf, serverOf, waitFor, withPid1, ZINIT } from "./lib.ts";

setDefaultTimeout(30_000);

let dir = "";
let preload = "";
let marker = "";
const port = 40_000 + Math.floor(Math.random() * 20_000);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zinit-runtime-env-"));
  marker = join(dir, "marker");
  preload = join(dir, "preload.js");
  writeFileSync(
    preload,
    `const fs = require("fs");
fs.appendFileSync(${JSON.stringify(marker)}, "preload " + process.pid + "\\n");
setInterval(() => fs.appendFileSync(${JSON.stringify(marker)}, "tick " + process.pid + "\\n"), 20);
`,
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The steering variables as a user might set them; the quotes and spaces must reach services intact. */
function steering(): { BUN_OPTIONS: string; BUN_INSPECT: string; NODE_OPTIONS: string } {
  return { BUN_OPTIONS: `--preload=${preload}`, BUN_INSPECT: `127.0.0.1:${port}`, NODE_OPTIONS: `--max-old-space-size=64 --title="a b"` };
}

/** A service that writes its environment (NUL-separated) to `file`, then sleeps. */
function envDumper(file: string, sleep: string): string {
  return `[service]\nexec = ["/bin/sh", "-c", ${JSON.stringify(`env -0 > ${file}.tmp && mv ${file}.tmp ${file}; exec sleep ${sleep}`)}]\n`;
}

function readEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readFileSync(file, "utf8").split("\0")) {
    const i = entry.indexOf("=");
    if (i > 0) out[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return out;
}

/** What /proc/PID/environ holds: the environment the running image was exec'd with. */
function procEnvNames(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").map((e) => e.split("=")[0]!).filter(Boolean);
}

/** Is anything listening on 127.0.0.1:port (TCP, state LISTEN), in any namespace sharing our network? */
function listening(p: number): boolean {
  const hex = p.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1).some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) && f[3] === "0A";
  });
}

function markerLines(): string[] {
  return existsSync(marker) ? readFileSync(marker, "utf8").trim().split("\n").filter(Boolean) : [];
}

function expectSeenAsGiven(file: string): void {
  const env = readEnv(file);
  const given = steering();
  expect({ BUN_OPTIONS: env.BUN_OPTIONS, BUN_INSPECT: env.BUN_INSPECT, NODE_OPTIONS: env.NODE_OPTIONS }).toEqual(given);
  expect(Object.keys(env).filter((k) => k.startsWith("ZINIT_STASH"))).toEqual([]);
}

describe("BUN_OPTIONS, BUN_INSPECT and NODE_OPTIONS do not steer zinit", () => {
  test("zinit server: the preload ran only in the first image, no debugger listens, the service sees the variables as given", async () => {
    rmSync(marker, { force: true });
    const work = join(dir, "server");
    const configDir = join(work, "services");
    mkdirSync(configDir, { recursive: true });
    const envFile = join(work, "env");
    writeFileSync(join(configDir, "dump.toml"), envDumper(envFile, "100801"));
    const socket = join(work, "z.sock");
    const p = Bun.spawn([ZINIT, "server", "--config-dir", configDir, "--socket", socket], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1", ...steering() },
    });
    const output = Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    try {
      await waitFor("the service's env dump", async () => existsSync(envFile) && (await listServices(socket))[0]?.state === "running", 25_000, 50);
      // Long enough for the preload's 20 ms timer to have fired many times, had it survived.
      await Bun.sleep(300);
      expect(markerLines()).toEqual([`preload ${p.pid}`]);
      expect(listening(port)).toBe(false);
      // The image that serves was exec'd without them; the stash carries them.
      const names = procEnvNames(p.pid);
      expect(names.filter((n) => n in steering())).toEqual([]);
      expect(names).toContain("ZINIT_STASHED_ENV");
      expectSeenAsGiven(envFile);
    } finally {
      const pids = (await listServices(socket).catch(() => [])).map((s) => s.pid).filter((x): x is number => !!x);
      p.kill("SIGTERM");
      const code = await Promise.race([p.exited, Bun.sleep(5000).then(() => null)]);
      if (code === null) {
        for (const pid of pids) try { process.kill(-pid, "SIGKILL"); } catch {}
        p.kill("SIGKILL");
      }
      await output;
    }
  });

  test.skipIf(!asRoot)("zinit pid1 as PID 1: neither pid1 nor the server it starts is steered; the service sees the variables as given", async () => {
    rmSync(marker, { force: true });
    const envFile = join(dir, "pid1-env");
    await withPid1(
      { dump: envDumper(envFile, "100802") },
      async (run) => {
        await waitFor("the service's env dump", () => existsSync(envFile), 25_000);
        await Bun.sleep(300);
        // PID 1's first image ran the preload (pid 1 in its namespace); the server never did.
        expect(nsPidOf(run.init)).toBe(1);
        expect(markerLines()).toEqual(["preload 1"]);
        expect(listening(port)).toBe(false);
        const server = serverOf(run)!;
        expect(server).toBeDefined();
        for (const pid of [run.init, server.pid]) expect(procEnvNames(pid).filter((n) => n in steering())).toEqual([]);
        expectSeenAsGiven(envFile);
        process.kill(run.init, "SIGTERM");
        expect(await run.waitExit(8000)).toBe(0);
      },
      { env: steering() },
    );
  });

  test("zinit version with a preload prints zinit's version; with BUN_OPTIONS=--version, Bun answers before zinit runs (a limit)", async () => {
    rmSync(marker, { force: true });
    const run = (env: Record<string, string>) => {
      const r = Bun.spawnSync([ZINIT, "version"], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
      return { code: r.exitCode, out: r.stdout.toString().trim() };
    };
    expect(run({ BUN_OPTIONS: `--preload=${preload}` })).toEqual({ code: 0, out: expect.stringMatching(/^zinit \d/) });
    expect(markerLines()).toHaveLength(1);
    // Bun reads BUN_OPTIONS before any code of ours: it prints its own version and exits.
    expect(run({ BUN_OPTIONS: "--version" })).toEqual({ code: 0, out: Bun.version });
  });
});
