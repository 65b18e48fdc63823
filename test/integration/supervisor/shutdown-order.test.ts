/**
 * Ordered shutdown (docs/architecture.md): on SIGTERM (or system.shutdown) dependents
 * stop before their dependencies, independent branches in parallel, then the
 * server exits 0 with no service process left.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { groupMembers, service, startReady, waitFor, waitState, type TestServer } from "./lib.ts";

/**
 * A service that, on TERM, waits `delay` seconds and then appends its name to `file`.
 * The delays are chosen against the expected order: were all services signalled at
 * once, the one with the shortest delay (the dependency) would write first.
 */
function trapper(name: string, file: string, delay: number, deps: Record<string, string[]> = {}): string {
  // "armed" once the trap is set: a SIGTERM before that would kill sh unheard.
  const script = `trap 'sleep ${delay}; echo ${name} >> ${file}; exit 0' TERM; echo armed; while :; do sleep 0.05; done`;
  return service(script, { dependencies: deps, lifecycle: { stop_timeout_ms: 5000 } });
}

/** Running, and its TERM trap is set. */
async function armed(s: TestServer, name: string) {
  const st = await waitState(s, name, "running");
  await waitFor(`${name} armed`, async () => ((await s.rpc("service.logs", { name, lines: 10 })) as { line: string }[]).some((l) => l.line === "armed"));
  return st;
}

async function exitOf(s: TestServer, timeoutMs = 8000): Promise<number | null> {
  return Promise.race([s.proc.exited, Bun.sleep(timeoutMs).then(() => null)]);
}

describe("ordered shutdown", () => {
  test("SIGTERM stops worker, app, database in that order, exits 0, leaves no process", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-shutdown-"));
    const file = join(tmp, "order");
    writeFileSync(file, "");
    const s = await startReady({
      database: trapper("database", file, 0),
      app: trapper("app", file, 0.1, { requires: ["database"] }),
      worker: trapper("worker", file, 0.2, { requires: ["app"] }),
    });
    try {
      const pids: number[] = [];
      for (const n of ["database", "app", "worker"]) pids.push((await armed(s, n)).pid!);
      s.proc.kill("SIGTERM");
      const code = await exitOf(s);
      expect(code).toBe(0);
      expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toEqual(["worker", "app", "database"]);
      for (const pid of pids) expect(groupMembers(pid)).toEqual([]);
    } finally {
      await s.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  // after edges order the shutdown too (reverse start order), not only requires.
  test("system.shutdown honours `after` in reverse and exits 0", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-shutdown-"));
    const file = join(tmp, "order");
    writeFileSync(file, "");
    const s = await startReady({
      logger: trapper("logger", file, 0),
      web: trapper("web", file, 0.15, { after: ["logger"] }),
    });
    try {
      for (const n of ["logger", "web"]) await armed(s, n);
      await s.rpc("system.shutdown");
      expect(await exitOf(s)).toBe(0);
      expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toEqual(["web", "logger"]);
    } finally {
      await s.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  // Independent branches stop in parallel: two 500 ms stops take about 500 ms, not 1 s.
  test("independent services stop in parallel", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-shutdown-"));
    const file = join(tmp, "order");
    writeFileSync(file, "");
    const s = await startReady({
      left: trapper("left", file, 0.5),
      right: trapper("right", file, 0.5),
      third: trapper("third", file, 0.5),
    });
    try {
      for (const n of ["left", "right", "third"]) await armed(s, n);
      const t0 = Date.now();
      s.proc.kill("SIGTERM");
      expect(await exitOf(s)).toBe(0);
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(480);
      expect(elapsed).toBeLessThan(1200);
      expect(readFileSync(file, "utf8").split("\n").filter(Boolean).sort()).toEqual(["left", "right", "third"]);
    } finally {
      await s.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  // A service that ignores TERM does not hang the shutdown: SIGKILL after its stop_timeout_ms.
  test("a TERM-ignoring service is SIGKILLed during shutdown; a crash-looping one is not restarted", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-shutdown-"));
    const starts = join(tmp, "starts");
    writeFileSync(starts, "");
    const s = await startReady({
      stubborn: service("trap '' TERM; while :; do sleep 0.05; done", { lifecycle: { stop_timeout_ms: 200 } }),
      // writes its pid (= its group) at each start
      crashy: service(`echo $$ >> ${starts}; sleep 0.1; exit 1`, { lifecycle: { restart: "always", restart_delay_ms: 30 } }),
    });
    try {
      const { pid } = await waitState(s, "stubborn", "running");
      await Bun.sleep(300);
      const t0 = Date.now();
      s.proc.kill("SIGTERM");
      expect(await exitOf(s)).toBe(0);
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(2000);
      expect(groupMembers(pid!)).toEqual([]);
      const crashyPids = readFileSync(starts, "utf8").split("\n").filter(Boolean).map(Number);
      expect(crashyPids.length).toBeGreaterThanOrEqual(2);
      await Bun.sleep(200);
      // nothing was spawned after the server exited, and nothing of any run is left
      expect(readFileSync(starts, "utf8").split("\n").filter(Boolean).map(Number)).toEqual(crashyPids);
      for (const p of crashyPids) expect(groupMembers(p)).toEqual([]);
    } finally {
      await s.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  // Commands that would start something are refused while shutting down (-32004).
  test("a start during shutdown is refused with -32004", async () => {
    const s = await startReady({
      slow: service("trap 'sleep 0.5; exit 0' TERM; while :; do sleep 0.05; done"),
      other: service(["sleep", "1000"], { service: { status: "stop" } }),
    });
    try {
      await waitState(s, "slow", "running");
      s.proc.kill("SIGTERM");
      await waitState(s, "slow", "stopping");
      let code: number | undefined;
      try {
        await s.rpc("service.start", { name: "other" });
      } catch (err) {
        code = (err as { rpcCode: number }).rpcCode;
      }
      expect(code).toBe(-32004);
      expect(await exitOf(s)).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
