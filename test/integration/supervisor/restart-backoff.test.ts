/**
 * Restart policy and back-off ([lifecycle] in docs/configuration.md) measured on a real crash loop:
 * the n-th restart waits restart_delay_ms * 2^(n-1), capped; max_restarts ends
 * in failed; a back-off wait is `starting` with no pid.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { alive, msBetween, recordEvents, service, status, waitFor, waitState, withServer, type StateEvent } from "./lib.ts";

/** Pairs each crash (-> starting, pid null) with the next spawn (-> running) and returns the gaps in ms. */
function backoffGaps(evs: StateEvent[]): { reason: string; gapMs: number }[] {
  const out: { reason: string; gapMs: number }[] = [];
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i]!;
    if (e.to !== "starting" || !/restarting in/.test(e.reason)) continue;
    const next = evs.slice(i + 1).find((x) => x.to === "running");
    if (next) out.push({ reason: e.reason, gapMs: msBetween(e.at, next.at) });
  }
  return out;
}

describe("restart and back-off", () => {
  // Gaps between a crash and the next spawn are at least the delay and double each time.
  test("back-off waits 100, 200, 400, 800 ms, then max_restarts gives up", async () => {
    const crash = service("exit 1", {
      service: { status: "stop" },
      lifecycle: { restart: "always", restart_delay_ms: 100, restart_delay_max_ms: 10000, max_restarts: 4 },
    });
    await withServer({ crash }, async (s) => {
      const rec = await recordEvents(s);
      try {
        await s.rpc("service.start", { name: "crash" });
        const st = await waitState(s, "crash", "failed", undefined, 6000);
        expect(st.reason).toBe("gave up after 4 restarts: exit code 1");
        expect(st.pid).toBeNull();
        expect(st.restarts).toBe(4);
        expect(st.exit).toEqual({ code: 1, signal: null });

        const evs = rec.of("crash");
        expect(evs.filter((e) => e.to === "running")).toHaveLength(5); // first run + 4 restarts
        const gaps = backoffGaps(evs);
        expect(gaps.map((g) => g.reason)).toEqual([
          "exit code 1; restarting in 100 ms (attempt 1)",
          "exit code 1; restarting in 200 ms (attempt 2)",
          "exit code 1; restarting in 400 ms (attempt 3)",
          "exit code 1; restarting in 800 ms (attempt 4)",
        ]);
        const expected = [100, 200, 400, 800];
        gaps.forEach((g, i) => {
          // a timer never fires early (2 ms of slack for the ms-resolution timestamps)
          expect(g.gapMs).toBeGreaterThanOrEqual(expected[i]! - 2);
          expect(g.gapMs).toBeLessThan(expected[i]! + 250);
        });
        for (let i = 1; i < gaps.length; i++) {
          const ratio = gaps[i]!.gapMs / gaps[i - 1]!.gapMs;
          expect(ratio).toBeGreaterThan(1.5);
          expect(ratio).toBeLessThan(2.6);
        }
        // nothing is spawned after giving up
        const count = rec.of("crash").length;
        await Bun.sleep(400);
        expect(rec.of("crash").length).toBe(count);
      } finally {
        rec.close();
      }
    });
  });

  // A back-off wait is the state `starting` with no pid, and its reason says when and which attempt.
  test("during back-off the service is starting with pid null", async () => {
    const crash = service("exit 1", { lifecycle: { restart: "on-failure", restart_delay_ms: 1500 } });
    await withServer({ crash }, async (s) => {
      const st = await waitState(s, "crash", "starting", /restarting in/);
      expect(st.pid).toBeNull();
      expect(st.reason).toBe("exit code 1; restarting in 1500 ms (attempt 1)");
      expect(st.restarts).toBe(1);
    });
  });

  // restart_delay_max_ms caps the doubling.
  test("restart_delay_max_ms caps the delay", async () => {
    const crash = service("exit 2", {
      service: { status: "stop" },
      lifecycle: { restart_delay_ms: 100, restart_delay_max_ms: 150, max_restarts: 3 },
    });
    await withServer({ crash }, async (s) => {
      const rec = await recordEvents(s);
      try {
        await s.rpc("service.start", { name: "crash" });
        await waitState(s, "crash", "failed", "gave up after 3 restarts: exit code 2", 5000);
        const gaps = backoffGaps(rec.of("crash"));
        expect(gaps.map((g) => g.reason)).toEqual([
          "exit code 2; restarting in 100 ms (attempt 1)",
          "exit code 2; restarting in 150 ms (attempt 2)",
          "exit code 2; restarting in 150 ms (attempt 3)",
        ]);
        expect(gaps[2]!.gapMs).toBeGreaterThanOrEqual(148);
        expect(gaps[2]!.gapMs).toBeLessThan(400);
      } finally {
        rec.close();
      }
    });
  });

  // restart = "always" restarts a clean exit as well.
  test('restart = "always" restarts after exit 0', async () => {
    const svc = service("sleep 0.05; exit 0", { lifecycle: { restart: "always", restart_delay_ms: 50 } });
    await withServer({ svc }, async (s) => {
      await waitFor("two restarts", async () => (await status(s, "svc")).restarts >= 2);
      const st = await status(s, "svc");
      expect(["running", "starting"]).toContain(st.state);
    });
  });

  // on-failure restarts a death by signal, and says so.
  test('restart = "on-failure" restarts a process killed by SIGKILL', async () => {
    const svc = service(["sleep", "1000"], { lifecycle: { restart: "on-failure", restart_delay_ms: 100 } });
    await withServer({ svc }, async (s) => {
      const rec = await recordEvents(s);
      try {
        const first = await waitState(s, "svc", "running");
        process.kill(-first.pid!, "SIGKILL");
        await waitFor("back-off event", () => rec.of("svc").find((e) => e.to === "starting"));
        const crash = rec.of("svc").find((e) => e.to === "starting")!;
        expect(crash.reason).toBe("killed by SIGKILL; restarting in 100 ms (attempt 1)");
        const second = await waitFor("new pid", async () => {
          const st = await status(s, "svc");
          return st.state === "running" && st.pid !== first.pid ? st : null;
        });
        expect(alive(second.pid!)).toBe(true);
        expect(second.exit).toEqual({ code: null, signal: "SIGKILL" });
      } finally {
        rec.close();
      }
    });
  });

  // A user stop during a back-off wait cancels the pending restart.
  test("a stop during back-off ends inactive and nothing is spawned afterwards", async () => {
    const crash = service("exit 1", { lifecycle: { restart_delay_ms: 400 } });
    await withServer({ crash }, async (s) => {
      await waitState(s, "crash", "starting", /restarting in 400 ms/);
      const rec = await recordEvents(s);
      try {
        await s.rpc("service.stop", { name: "crash" });
        const st = await waitState(s, "crash", "inactive");
        expect(st.pid).toBeNull();
        await Bun.sleep(700); // past the pending 400 ms
        expect(rec.of("crash").filter((e) => e.to === "running")).toHaveLength(0);
        expect((await status(s, "crash")).state).toBe("inactive");
      } finally {
        rec.close();
      }
    });
  });

  // An explicit start after giving up runs it again with a fresh count.
  test("start after max_restarts failure starts over from attempt 1", async () => {
    const crash = service("exit 1", { lifecycle: { restart_delay_ms: 50, max_restarts: 1 } });
    await withServer({ crash }, async (s) => {
      await waitState(s, "crash", "failed", "gave up after 1 restart: exit code 1");
      const rec = await recordEvents(s);
      try {
        await s.rpc("service.start", { name: "crash" });
        await waitFor("failed again", () => rec.of("crash").find((e) => e.to === "failed"));
        const reasons = rec.of("crash").map((e) => e.reason);
        expect(reasons).toContain("exit code 1; restarting in 50 ms (attempt 1)");
        expect(rec.of("crash").find((e) => e.to === "failed")!.reason).toBe("gave up after 1 restart: exit code 1");
      } finally {
        rec.close();
      }
    });
  });

  // The consecutive count resets once a run lasted 10 s: the next crash is attempt 1 again.
  test("after a 10 s stable run the back-off starts over at attempt 1", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-backoff-"));
    const runs = join(tmp, "runs");
    // runs 1 and 2 crash at once; run 3 stays up 10.3 s, then crashes
    const script = `echo x >> ${runs}; n=$(wc -l < ${runs}); if [ "$n" -ge 3 ]; then sleep 10.3; fi; exit 1`;
    try {
      const flaky = service(script, { service: { status: "stop" }, lifecycle: { restart_delay_ms: 100, max_restarts: 3 } });
      await withServer({ flaky }, async (s) => {
        const rec = await recordEvents(s);
        try {
          await s.rpc("service.start", { name: "flaky" });
          const crashes = () => rec.of("flaky").filter((e) => e.to === "starting");
          await waitFor("two quick crashes", () => crashes().length >= 2, 3000);
          expect(crashes()[1]!.reason).toBe("exit code 1; restarting in 200 ms (attempt 2)");
          await waitFor("the crash after the long run", () => crashes().length >= 3, 14_000);
          expect(crashes()[2]!.reason).toBe("exit code 1; restarting in 100 ms (attempt 1)");
        } finally {
          rec.close();
        }
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 30_000);

  // The SDK's events() iterator sees the same crash loop, with the same reasons.
  test("ZinitClient.events() yields the crash loop's transitions", async () => {
    const crash = service("sleep 0.05; exit 7", { lifecycle: { restart_delay_ms: 50, max_restarts: 50 } });
    await withServer({ crash }, async (s) => {
      const client = await ZinitClient.connect(s.socket);
      try {
        const seen: { to: string; reason: string; at: string }[] = [];
        for await (const e of client.events()) {
          if (e.name !== "crash") continue;
          seen.push(e);
          if (seen.filter((x) => x.to === "running").length >= 3) break;
        }
        const crashes = seen.filter((e) => e.to === "starting");
        expect(crashes.length).toBeGreaterThanOrEqual(2);
        for (const c of crashes) expect(c.reason).toMatch(/^exit code 7; restarting in \d+ ms \(attempt \d+\)$/);
        const attempts = crashes.map((c) => Number(c.reason.match(/attempt (\d+)/)![1]));
        for (let i = 1; i < attempts.length; i++) expect(attempts[i]).toBe(attempts[i - 1]! + 1);
      } finally {
        await client.close();
      }
    });
  });

  // A oneshot under on-failure is retried when it fails and done once it succeeds.
  test("a oneshot with restart = on-failure is retried until it exits 0, then exited", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-backoff-"));
    const runs = join(tmp, "runs");
    const script = `echo x >> ${runs}; [ "$(wc -l < ${runs})" -ge 3 ]`;
    try {
      await withServer(
        { job: service(script, { service: { oneshot: true }, lifecycle: { restart: "on-failure", restart_delay_ms: 50 } }) },
        async (s) => {
          const st = await waitState(s, "job", "exited", "exit code 0", 3000);
          expect(st.restarts).toBe(2);
          await Bun.sleep(300);
          expect((await status(s, "job")).state).toBe("exited");
          expect(readFileSync(runs, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
        },
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
