/**
 * The seven states and their reasons (docs/architecture.md) as the compiled server
 * reports them for real processes: what each kind of ending leaves behind in
 * `state`, `reason`, `pid` and `exit`.
 */
import { describe, expect, test } from "bun:test";
import { alive, procInfo, recordEvents, rpcError, service, status, statusField, waitFor, waitState, withServer } from "./lib.ts";

const STATES = ["inactive", "blocked", "starting", "running", "stopping", "exited", "failed"];

describe("states and reasons", () => {
  // A service without a health check is running as soon as it is spawned, with its pid.
  test("a long-running service is running at once, with a live pid and no exit yet", async () => {
    await withServer({ web: service("sleep 1000") }, async (s) => {
      const st = await waitState(s, "web", "running");
      expect(st.pid).toBeGreaterThan(1);
      expect(alive(st.pid!)).toBe(true);
      expect(st.exit).toBeNull();
      expect(st.kind).toBe("service");
      expect(Number.isNaN(Date.parse(st.since))).toBe(false);
      expect(st.restarts).toBe(0);
    });
  });

  // A oneshot is starting (with its pid) while it runs, then exited with code 0 and no pid.
  test("a oneshot is starting while it runs, then exited with exit code 0", async () => {
    await withServer({ job: service("sleep 0.4", { service: { oneshot: true } }) }, async (s) => {
      const during = await waitState(s, "job", "starting");
      expect(during.pid).not.toBeNull();
      expect(alive(during.pid!)).toBe(true);
      const after = await waitState(s, "job", "exited");
      expect(after.pid).toBeNull();
      expect(after.exit).toEqual({ code: 0, signal: null });
      expect(after.reason).toBe("exit code 0");
      expect(alive(during.pid!)).toBe(false);
    });
  });

  // A oneshot that fails is not retried by default (restart defaults to never for a oneshot).
  test("a failing oneshot ends failed with its exit code and is not retried", async () => {
    await withServer({ job: service("exit 5", { service: { oneshot: true } }) }, async (s) => {
      const st = await waitState(s, "job", "failed", "exit code 5");
      expect(st.exit).toEqual({ code: 5, signal: null });
      await Bun.sleep(300);
      const later = await status(s, "job");
      expect(later.state).toBe("failed");
      expect(later.restarts).toBe(0);
    });
  });

  // restart = "never": a non-zero exit is failed, a zero exit is exited.
  test('restart = "never": exit 3 is failed "exit code 3", exit 0 is exited', async () => {
    await withServer(
      {
        bad: service("sleep 0.1; exit 3", { lifecycle: { restart: "never" } }),
        good: service("sleep 0.1; exit 0", { lifecycle: { restart: "never" } }),
      },
      async (s) => {
        const bad = await waitState(s, "bad", "failed");
        expect(bad.reason).toBe("exit code 3");
        expect(bad.exit).toEqual({ code: 3, signal: null });
        expect(bad.pid).toBeNull();
        const good = await waitState(s, "good", "exited");
        expect(good.reason).toBe("exit code 0");
        expect(good.exit).toEqual({ code: 0, signal: null });
      },
    );
  });

  // on-failure does not restart a clean exit.
  test('restart = "on-failure": exit 0 ends exited, not restarted', async () => {
    await withServer({ svc: service("sleep 0.1", { lifecycle: { restart: "on-failure", restart_delay_ms: 50 } }) }, async (s) => {
      await waitState(s, "svc", "exited", "exit code 0");
      await Bun.sleep(300);
      const st = await status(s, "svc");
      expect(st.state).toBe("exited");
      expect(st.restarts).toBe(0);
    });
  });

  // Death by a signal is reported by the signal's name, not as an exit code.
  test('a process killed by SIGKILL is failed "killed by SIGKILL" with exit.signal set', async () => {
    await withServer({ victim: service("sleep 1000", { lifecycle: { restart: "never" } }) }, async (s) => {
      const { pid } = await waitState(s, "victim", "running");
      await s.rpc("service.kill", { name: "victim", signal: "KILL" });
      const st = await waitState(s, "victim", "failed");
      expect(st.reason).toBe("killed by SIGKILL");
      expect(st.exit).toEqual({ code: null, signal: "SIGKILL" });
      expect(alive(pid!)).toBe(false);
    });
  });

  // service.kill accepts a signal number too (docs/protocol.md).
  test("service.kill takes a signal number: 15 is SIGTERM", async () => {
    await withServer({ victim: service(["sleep", "1000"], { lifecycle: { restart: "never" } }) }, async (s) => {
      await waitState(s, "victim", "running");
      await s.rpc("service.kill", { name: "victim", signal: 15 });
      const st = await waitState(s, "victim", "failed");
      expect(st.reason).toBe("killed by SIGTERM");
      expect(st.exit?.signal).toBe("SIGTERM");
    });
  });

  // A binary that does not exist fails the spawn, naming the path.
  test("a missing binary is failed with a spawn error naming the path", async () => {
    await withServer({ ghost: service(["/nonexistent/x", "--flag"]) }, async (s) => {
      const st = await waitState(s, "ghost", "failed");
      expect(st.reason).toBe("spawn failed: /nonexistent/x: no such file");
      expect(st.pid).toBeNull();
      // A spawn failure is not a crash loop: nothing is retried.
      await Bun.sleep(200);
      expect((await status(s, "ghost")).restarts).toBe(0);
    });
  });

  // status = "stop" keeps a service down until someone starts it.
  test('status = "stop" is inactive until started by name, then running', async () => {
    await withServer({ lazy: service("sleep 1000", { service: { status: "stop" } }) }, async (s) => {
      await Bun.sleep(200);
      const before = await status(s, "lazy");
      expect(before.state).toBe("inactive");
      expect(before.pid).toBeNull();
      await s.rpc("service.start", { name: "lazy" });
      const st = await waitState(s, "lazy", "running");
      expect(alive(st.pid!)).toBe(true);
    });
  });

  // status = "ignore": listed as inactive, never started, an explicit start refused with -32003.
  test('status = "ignore" is inactive and an explicit start is refused with -32003', async () => {
    await withServer({ off: service("sleep 1000", { service: { status: "ignore" } }) }, async (s) => {
      await Bun.sleep(150);
      expect((await status(s, "off")).state).toBe("inactive");
      const err = await rpcError(s, "service.start", { name: "off" });
      expect(err.rpc).toBe(-32003);
      expect(err.message).toContain("off");
      await Bun.sleep(150);
      const st = await status(s, "off");
      expect(st.state).toBe("inactive");
      expect(st.pid).toBeNull();
    });
  });

  // A user stop ends inactive with the process gone and its end recorded.
  test("a user stop ends inactive with the process gone", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      const { pid, since } = await waitState(s, "web", "running");
      await s.rpc("service.stop", { name: "web" });
      const st = await waitState(s, "web", "inactive");
      expect(st.pid).toBeNull();
      expect(st.reason).toContain("stopped by user");
      expect(Date.parse(st.since)).toBeGreaterThanOrEqual(Date.parse(since));
      expect(alive(pid!)).toBe(false);
      // a user stop is not a crash: it is not restarted
      await Bun.sleep(300);
      expect((await status(s, "web")).state).toBe("inactive");
    });
  });

  // restart gives a new process, the old one gone.
  test("restart replaces the process: new pid, old pid gone", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      const first = await waitState(s, "web", "running");
      await s.rpc("service.restart", { name: "web" });
      const second = await waitFor("a new pid", async () => {
        const st = await status(s, "web");
        return st.state === "running" && st.pid !== first.pid ? st : null;
      });
      expect(alive(second.pid!)).toBe(true);
      expect(procInfo(first.pid!)).toBeNull();
    });
  });

  // Unknown names are -32000, for status and for commands alike.
  test("an unknown service name is error -32000", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      expect((await rpcError(s, "service.status", { name: "nope" })).rpc).toBe(-32000);
      expect((await rpcError(s, "service.start", { name: "nope" })).rpc).toBe(-32000);
      expect((await rpcError(s, "service.stop", { name: "nope" })).rpc).toBe(-32000);
    });
  });

  // Events form a chain per service: each `from` is the previous `to`, only the seven states appear.
  test("state events chain: every from is the previous to, only the seven states", async () => {
    await withServer({ web: service(["sleep", "1000"], { service: { status: "stop" } }) }, async (s) => {
      const rec = await recordEvents(s);
      try {
        await s.rpc("service.start", { name: "web" });
        await waitState(s, "web", "running");
        await s.rpc("service.restart", { name: "web" });
        await waitFor("restart seen", () => rec.of("web").filter((e) => e.to === "running").length >= 2);
        await s.rpc("service.stop", { name: "web" });
        await waitState(s, "web", "inactive");
        await waitFor("inactive event", () => rec.of("web").at(-1)?.to === "inactive");
        const evs = rec.of("web");
        expect(evs[0]!.from).toBe("inactive");
        for (const e of evs) {
          expect(STATES).toContain(e.from);
          expect(STATES).toContain(e.to);
          expect(typeof e.reason).toBe("string");
          expect(Number.isNaN(Date.parse(e.at))).toBe(false);
        }
        for (let i = 1; i < evs.length; i++) expect(evs[i]!.from).toBe(evs[i - 1]!.to);
        const path = evs.map((e) => e.to);
        // stop went through stopping
        expect(path.slice(-2)).toEqual(["stopping", "inactive"]);
      } finally {
        rec.close();
      }
    });
  });

  // A oneshot still running after start_timeout_ms is killed and counts as a failure.
  test("a oneshot over start_timeout_ms = 200 is killed and failed 'start timeout'", async () => {
    await withServer(
      { hang: service(["sleep", "1000"], { service: { oneshot: true }, lifecycle: { start_timeout_ms: 200, stop_timeout_ms: 500 } }) },
      async (s) => {
        const during = await waitState(s, "hang", "starting");
        const t0 = Date.now();
        const st = await waitState(s, "hang", "failed", undefined, 3000);
        expect(Date.now() - t0).toBeLessThan(1500);
        expect(st.reason).toContain("start timeout");
        expect(st.pid).toBeNull();
        expect(alive(during.pid!)).toBe(false);
      },
    );
  });

  // user = "nobody": the process runs with that uid and gid.
  test.skipIf(process.getuid!() !== 0)('user = "nobody" runs the process as uid 65534', async () => {
    await withServer({ low: service(["sleep", "1000"], { service: { user: "nobody" } }) }, async (s) => {
      const { pid } = await waitState(s, "low", "running");
      const uid = statusField(pid!, "Uid")!.split(/\s+/);
      expect(uid.every((u) => u === "65534")).toBe(true);
    });
  });
});
