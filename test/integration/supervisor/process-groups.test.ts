/**
 * Every service runs in its own session and process group, and stop reaches the
 * whole group ([lifecycle] in docs/configuration.md): stop_signal first, SIGKILL after stop_timeout_ms.
 * Checked against /proc, not against what the server says.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { groupMembers, procInfo, service, status, waitFor, waitState, withServer } from "./lib.ts";

function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "zinit-sup-pg-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("process groups", () => {
  // setsid: the service leads its own session and group, apart from the server's.
  test("a service is the leader of its own session and process group", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      const { pid } = await waitState(s, "web", "running");
      const p = procInfo(pid!)!;
      expect(p.pgid).toBe(pid!);
      expect(p.sid).toBe(pid!);
      const server = procInfo(s.proc.pid)!;
      expect(p.sid).not.toBe(server.sid);
    });
  });

  // Stop reaches children of the service, and the stop is over only once the whole group is gone.
  test("stopping `sh -c \"sleep 1000 & sleep 1000\"` leaves no process of that group", async () => {
    await withServer({ pair: service("sleep 1000 & sleep 1000") }, async (s) => {
      const { pid } = await waitState(s, "pair", "running");
      // both sleeps are in the group (plus the shell unless it exec'd the last one)
      await waitFor("two sleeps in the group", () => groupMembers(pid!).filter((p) => p.comm === "sleep").length === 2);
      await s.rpc("service.stop", { name: "pair" });
      await waitState(s, "pair", "inactive");
      // at the moment zinit says inactive, nothing of the group is left, not even a zombie
      expect(groupMembers(pid!)).toEqual([]);
    });
  });

  // A leader that exits on its own leaves no debris running: its group is cleaned up.
  test("a crashed leader's leftover children in its group are killed", async () => {
    await withServer({ leaky: service("sleep 1000 & sleep 0.1; exit 1", { lifecycle: { restart: "never" } }) }, async (s) => {
      const { pid } = await waitState(s, "leaky", "running");
      await waitFor("child sleeping", () => groupMembers(pid!).some((p) => p.comm === "sleep"));
      await waitState(s, "leaky", "failed", "exit code 1");
      await waitFor("group empty", () => groupMembers(pid!).length === 0, 3000);
    });
  });

  // stop_signal is what the group gets first.
  test("stop_signal = SIGUSR1 is delivered and the service exits by its own trap", async () => {
    const t = tempDir();
    try {
      const mark = join(t.dir, "usr1");
      const term = join(t.dir, "term");
      const script = `trap 'echo usr1 > ${mark}; exit 0' USR1; trap 'echo term > ${term}; exit 0' TERM; while :; do sleep 0.05; done`;
      await withServer(
        { trapper: service(script, { lifecycle: { stop_signal: "SIGUSR1", stop_timeout_ms: 5000, restart: "never" } }) },
        async (s) => {
          const { pid } = await waitState(s, "trapper", "running");
          const t0 = Date.now();
          await s.rpc("service.stop", { name: "trapper" });
          const st = await waitState(s, "trapper", "inactive");
          expect(Date.now() - t0).toBeLessThan(2000); // not the 5 s SIGKILL escalation
          expect(readFileSync(mark, "utf8").trim()).toBe("usr1");
          expect(existsSync(term)).toBe(false);
          expect(st.exit).toEqual({ code: 0, signal: null });
          expect(groupMembers(pid!)).toEqual([]);
        },
      );
    } finally {
      t.cleanup();
    }
  });

  // A group that ignores the stop signal is SIGKILLed after stop_timeout_ms.
  test("a service ignoring SIGTERM is SIGKILLed after stop_timeout_ms = 200", async () => {
    const script = `trap '' TERM; sleep 1000 & while :; do sleep 0.05; done`;
    await withServer({ stubborn: service(script, { lifecycle: { stop_timeout_ms: 200, restart: "always" } }) }, async (s) => {
      const { pid } = await waitState(s, "stubborn", "running");
      await waitFor("background sleep", () => groupMembers(pid!).some((p) => p.comm === "sleep"));
      const t0 = Date.now();
      await s.rpc("service.stop", { name: "stubborn" });
      await waitState(s, "stubborn", "stopping");
      await Bun.sleep(100);
      // still there half-way through the timeout: SIGTERM really was ignored, no early SIGKILL
      expect(groupMembers(pid!).length).toBeGreaterThan(0);
      expect((await status(s, "stubborn")).state).toBe("stopping");
      const st = await waitState(s, "stubborn", "inactive", undefined, 3000);
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(1500);
      expect(st.exit).toEqual({ code: null, signal: "SIGKILL" });
      expect(groupMembers(pid!)).toEqual([]);
      // a user stop is not restarted, even under restart = "always"
      await Bun.sleep(200);
      expect((await status(s, "stubborn")).state).toBe("inactive");
    });
  });

  // service.kill signals the whole group, not only the leader.
  test("service.kill reaches every process of the group", async () => {
    await withServer({ pair: service("sleep 1000 & sleep 1000; exit 0", { lifecycle: { restart: "never" } }) }, async (s) => {
      const { pid } = await waitState(s, "pair", "running");
      await waitFor("two sleeps", () => groupMembers(pid!).filter((p) => p.comm === "sleep").length === 2);
      const sleeps = groupMembers(pid!).filter((p) => p.comm === "sleep").map((p) => p.pid);
      await s.rpc("service.kill", { name: "pair", signal: "SIGKILL" });
      await waitState(s, "pair", "failed", "killed by SIGKILL");
      await waitFor("sleeps gone", () => sleeps.every((p) => procInfo(p) === null), 2000);
    });
  });

  // A restart never runs the new process next to the old one: the old group is gone first.
  test("restart of a slow-to-stop service: the new process starts only after the old group is gone", async () => {
    const script = `trap '' TERM; sleep 1000 & while :; do sleep 0.05; done`;
    await withServer({ slow: service(script, { lifecycle: { stop_timeout_ms: 300 } }) }, async (s) => {
      const first = await waitState(s, "slow", "running");
      await waitFor("background sleep", () => groupMembers(first.pid!).some((p) => p.comm === "sleep"));
      await s.rpc("service.restart", { name: "slow" });
      const second = await waitFor("new pid", async () => {
        const st = await status(s, "slow");
        if (st.state === "running" && st.pid !== first.pid) return st;
        // while the new one is not up, the old one may still be there; once it is, the old is gone
        return null;
      }, 3000);
      expect(groupMembers(first.pid!)).toEqual([]);
      expect(groupMembers(second.pid!).length).toBeGreaterThan(0);
    });
  });

  // Started again while its stop is still waiting for SIGKILL: the stop completes, then it comes back.
  test("start during a pending stop: the old group dies, then a new process runs", async () => {
    const script = `trap '' TERM; while :; do sleep 0.05; done`;
    await withServer({ slow: service(script, { lifecycle: { stop_timeout_ms: 300 } }) }, async (s) => {
      const first = await waitState(s, "slow", "running");
      await s.rpc("service.stop", { name: "slow" });
      await waitState(s, "slow", "stopping");
      await s.rpc("service.start", { name: "slow" });
      const second = await waitFor("running again", async () => {
        const st = await status(s, "slow");
        return st.state === "running" && st.pid !== first.pid ? st : null;
      }, 3000);
      expect(groupMembers(first.pid!)).toEqual([]);
      expect(groupMembers(second.pid!).length).toBeGreaterThan(0);
      await Bun.sleep(200);
      const st = await status(s, "slow");
      expect(st.state).toBe("running");
      expect(st.pid).toBe(second.pid);
    });
  });
});
