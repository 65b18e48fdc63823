/**
 * Signals that arrive while the server is still starting its services: TERM and
 * INT end a process that has no handler for them, and HUP too. Each must act on
 * what has started (an ordered stop, a reload), never kill the server and leave
 * its services running as orphans.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { childPids, pidsWithArg } from "../../helpers/proc.ts";
import { waitFor } from "./lib.ts";

const N = 100;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A server starting N services `sleep ARG`; returns once its first service exists. */
async function startingServer(arg: string): Promise<{ server: Bun.Subprocess; sock: string }> {
  const dir = mkdtempSync(join(tmpdir(), "zinit-startsig-"));
  const conf = join(dir, "conf");
  Bun.spawnSync(["mkdir", conf]);
  for (let i = 0; i < N; i++) writeFileSync(join(conf, `s${i}.toml`), `[service]\nexec = ["sleep", "${arg}"]\n[logging]\nforward = false\n`);
  const sock = join(dir, "z.sock");
  const server = Bun.spawn([ZINIT, "server", "--config-dir", conf, "--socket", sock], { stdio: ["ignore", "ignore", "ignore"] });
  cleanups.push(() => {
    server.kill("SIGKILL");
    for (const pid of pidsWithArg(arg)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor("the first service", () => childPids(server.pid).length > 0, 10_000, 1);
  return { server, sock };
}

describe("signals during start-up", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} as the first services start: an ordered stop, exit 0, no service left`, async () => {
      const arg = `${31536000 + (signal === "SIGTERM" ? 11 : 12)}`;
      const { server } = await startingServer(arg);
      server.kill(signal);
      expect(await server.exited).toBe(0);
      expect(server.signalCode).toBeNull();
      expect(pidsWithArg(arg)).toEqual([]);
    });
  }

  test("SIGHUP as the first services start: the server lives on and serves every service", async () => {
    const arg = "31536013";
    const { server, sock } = await startingServer(arg);
    server.kill("SIGHUP");
    await waitFor("all services running", () => pidsWithArg(arg).length === N, 10_000);
    const list = Bun.spawnSync([ZINIT, "--socket", sock, "--json", "list"]);
    expect(list.exitCode).toBe(0);
    expect(JSON.parse(list.stdout.toString()).filter((s: { state: string }) => s.state === "running")).toHaveLength(N);
    expect(server.exitCode).toBeNull();
    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(pidsWithArg(arg)).toEqual([]);
  });
});
