/**
 * tcp health checks ([health] in docs/configuration.md) against a real listener on 127.0.0.1: a
 * service is starting until the first probe passes, failures while starting do
 * not count, `retries` consecutive failures while running restart it, and
 * `list` shows the health column.
 */
import { describe, expect, test } from "bun:test";
import { freePort, healthToml, Listener, procAlive, recordEvents, status, waitFor, waitState, withServer } from "./lib.ts";

function tcpService(port: number, h: Record<string, number> = {}): string {
  return (
    `[service]\nexec = ["sleep", "1000"]\n[lifecycle]\nrestart_delay_ms = 100\n` +
    healthToml({ type: "tcp", target: `127.0.0.1:${port}`, interval_ms: 100, timeout_ms: 200, retries: 3, ...h })
  );
}

describe("tcp health", () => {
  // The listener appears 300 ms after the server: the service waits in `starting`
  // (probe failures while starting are not retries), then runs with the same pid.
  test("starting until the listener appears, then running with the same pid; list shows HEALTH", async () => {
    const port = await freePort();
    const listener = new Listener(port);
    try {
      await withServer({ web: tcpService(port, { retries: 2 }), plain: `[service]\nexec = ["sleep", "1000"]\n` }, async (s) => {
        const t0 = Date.now();
        const first = await waitState(s, "web", "starting");
        expect(first.pid).not.toBeNull();
        expect(first.reason).toBe(`waiting for health check (pid ${first.pid})`);

        // A failed probe while starting is recorded but is no reason to stop.
        const failing = await waitFor("a failing probe while starting", async () => {
          const st = await status(s, "web");
          return st.health?.status === "failing" ? st : null;
        });
        expect(failing.state).toBe("starting");
        expect(failing.health!.error).toBe("connection refused");
        expect(failing.health!.checked_at).not.toBeNull();

        const list = await s.cli("list");
        expect(list.code).toBe(0);
        expect(list.stdout.split("\n")[0]).toMatch(/NAME\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+HEALTH\s+MEM/);
        expect(list.stdout).toMatch(/^web\s+starting\s+\d+\s+-\s+0\s+failing\s+[\d.]+ [KMG]iB\s*$/m);

        await Bun.sleep(Math.max(0, 300 - (Date.now() - t0)));
        // by now ~3 probes failed (every 100 ms while starting) with retries = 2: still the first process
        const before = await status(s, "web");
        expect(before.state).toBe("starting");
        expect(before.pid).toBe(first.pid);
        expect(before.restarts).toBe(0);

        await listener.open();
        const opened = Date.now();
        const run = await waitState(s, "web", "running", undefined, 3000);
        // probes every min(interval_ms, 250) = 100 ms while starting
        expect(Date.now() - opened).toBeLessThan(600);
        expect(run.pid).toBe(first.pid);
        expect(run.reason).toBe(`healthy (pid ${first.pid})`);
        expect(run.restarts).toBe(0);
        expect(run.health).toMatchObject({ status: "passing", error: null });
        expect(run.health!.checked_at).not.toBeNull();

        // while running: one probe per interval_ms (100 ms)
        const n0 = listener.accepted;
        await Bun.sleep(600);
        const probes = listener.accepted - n0;
        expect(probes).toBeGreaterThanOrEqual(3);
        expect(probes).toBeLessThanOrEqual(8);

        const list2 = await s.cli("list");
        expect(list2.stdout).toMatch(new RegExp(`^web\\s+running\\s+${first.pid}\\s+\\S+\\s+0\\s+passing\\s+[\\d.]+ [KMG]iB\\s*$`, "m"));
        expect(list2.stdout).toMatch(/^plain\s+running\s+\d+\s+\S+\s+0\s+-\s+[\d.]+ [KMG]iB\s*$/m);
        const json = JSON.parse((await s.cli("list", "--json")).stdout) as { name: string; health: string | null }[];
        expect(json.find((i) => i.name === "web")!.health).toBe("passing");
        expect(json.find((i) => i.name === "plain")!.health).toBeNull();
        expect((await status(s, "plain")).health).toBeNull();
      });
    } finally {
      await listener.close();
    }
  });

  // Closing the listener: exactly `retries` (3) failed probes, 100 ms apart, then
  // stop as a failure, back-off, a new process that waits for health again.
  test("listener closed while running: restarted after exactly `retries` failures", async () => {
    const port = await freePort();
    const listener = new Listener(port);
    await listener.open();
    try {
      await withServer({ web: tcpService(port) }, async (s) => {
        const run = await waitState(s, "web", "running");
        const oldPid = run.pid!;
        const rec = await recordEvents(s);
        try {
          await listener.close();
          const closed = Date.now();
          // between the first and the third failure it is still running, health failing
          const unhealthyRunning = await waitFor(
            "running with a failing health check",
            async () => {
              const st = await status(s, "web");
              return st.state === "running" && st.health?.status === "failing" ? st : null;
            },
            2000,
          );
          expect(unhealthyRunning.pid).toBe(oldPid);
          expect(unhealthyRunning.health!.error).toBe("connection refused");

          const stopping = await waitFor("stopping event", () => rec.of("web").find((e) => e.to === "stopping"), 3000);
          expect(stopping.reason).toBe("health check failed 3 times: connection refused");
          // three failures 100 ms apart: the first within 100 ms of the close, the third 200 ms later
          const after = Date.parse(stopping.at) - closed;
          expect(after).toBeGreaterThanOrEqual(190);
          expect(after).toBeLessThan(900);

          const restarting = await waitFor("back-off event", () => rec.of("web").find((e) => e.from === "stopping"), 3000);
          expect(restarting.to).toBe("starting");
          expect(restarting.reason).toBe("health check failed 3 times: connection refused; restarting in 100 ms (attempt 1)");

          // the new process waits for its health check like the first one did
          const again = await waitState(s, "web", "starting", /^waiting for health check/, 3000);
          expect(again.pid).not.toBe(oldPid);
          expect(again.restarts).toBe(1);
          expect(procAlive(oldPid)).toBe(false);

          await listener.open();
          const back = await waitState(s, "web", "running", undefined, 3000);
          expect(back.pid).toBe(again.pid);
          expect(back.restarts).toBe(1);
          expect(back.reason).toBe(`healthy (pid ${again.pid})`);
          expect(rec.of("web").filter((e) => e.to === "stopping")).toHaveLength(1);
        } finally {
          rec.close();
        }
      });
    } finally {
      await listener.close();
    }
  });

  // Short outages of 1-2 failed probes each: the count of consecutive failures
  // resets on a pass, so three outages (>= 3 failures in total) never restart it.
  test("failures below `retries` are forgiven once a probe passes", async () => {
    const port = await freePort();
    const listener = new Listener(port);
    await listener.open();
    try {
      await withServer({ web: tcpService(port) }, async (s) => {
        const run = await waitState(s, "web", "running");
        const rec = await recordEvents(s);
        try {
          for (let i = 0; i < 3; i++) {
            await listener.close();
            await Bun.sleep(150); // at least one probe (every 100 ms) fails, at most two
            await listener.open();
            await Bun.sleep(350);
          }
          const st = await status(s, "web");
          expect(st.state).toBe("running");
          expect(st.pid).toBe(run.pid);
          expect(st.restarts).toBe(0);
          expect(st.health!.status).toBe("passing");
          expect(rec.of("web")).toEqual([]);
        } finally {
          rec.close();
        }
      });
    } finally {
      await listener.close();
    }
  });
});
