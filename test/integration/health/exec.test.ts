/**
 * exec health checks ([health] in docs/configuration.md): the probe runs in the service's dir, with
 * its env and user, passes on exit 0, is killed (with its group) at timeout_ms;
 * start_timeout_ms bounds how long a never-healthy service may stay starting.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { healthToml, pidsWithArg, procAlive, procUid, recordEvents, status, waitFor, waitState, withServer } from "./lib.ts";

function svc(service: string, health: Record<string, string | number>, lifecycle = 'restart_delay_ms = 100'): string {
  return `[service]\nexec = ["sleep", "1000"]\n${service}\n[lifecycle]\n${lifecycle}\n` + healthToml({ type: "exec", interval_ms: 50, timeout_ms: 1000, retries: 2, ...health });
}

describe("exec health", () => {
  // `test -f ready` is relative: it only works in the service's own dir.
  test("`test -f ready` runs in the service's dir: starting until the file exists, restarted when it goes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-hr-exec-"));
    try {
      await withServer({ app: svc(`dir = ${JSON.stringify(dir)}`, { target: "test -f ready" }) }, async (s) => {
        const first = await waitState(s, "app", "starting");
        await waitFor("a failed probe", async () => ((await status(s, "app")).health?.error === "exit code 1" ? true : null));
        writeFileSync(join(dir, "ready"), "");
        const run = await waitState(s, "app", "running", undefined, 2000);
        expect(run.pid).toBe(first.pid);
        expect(run.reason).toBe(`healthy (pid ${first.pid})`);
        const rec = await recordEvents(s);
        try {
          unlinkSync(join(dir, "ready"));
          const stopping = await waitFor("stopping event", () => rec.of("app").find((e) => e.to === "stopping"), 3000);
          expect(stopping.reason).toBe("health check failed 2 times: exit code 1");
          const again = await waitState(s, "app", "starting", /^waiting for health check/, 3000);
          expect(again.pid).not.toBe(first.pid);
          expect(again.restarts).toBe(1);
          writeFileSync(join(dir, "ready"), "");
          await waitState(s, "app", "running", `healthy (pid ${again.pid})`, 2000);
        } finally {
          rec.close();
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The probe sees the service's env and runs as its user; the same probe fails
  // for a service with another value / as root.
  test("the probe sees the service's env and runs as the service's user", async () => {
    const envProbe = `sh -c 'test "$TOKEN" = abc'`;
    const uidProbe = `sh -c 'test "$(id -u)" = 65534'`;
    await withServer(
      {
        envok: svc(`env = { TOKEN = "abc" }`, { target: envProbe }),
        envbad: svc(`env = { TOKEN = "xyz" }`, { target: envProbe }),
        asnobody: svc(`user = "nobody"\ndir = "/"`, { target: uidProbe }),
        asroot: svc(`dir = "/"`, { target: uidProbe }),
      },
      async (s) => {
        await waitState(s, "envok", "running");
        const nobody = await waitState(s, "asnobody", "running");
        expect(procUid(nobody.pid!)).toBe(65534);
        await Bun.sleep(300);
        for (const name of ["envbad", "asroot"]) {
          const st = await status(s, name);
          expect(st.state).toBe("starting");
          expect(st.restarts).toBe(0);
          expect(st.health).toMatchObject({ status: "failing", error: "exit code 1" });
        }
      },
    );
  });

  // A probe that outlives timeout_ms is killed with its whole group: no leftover
  // `sleep`, never two probes at once.
  test("a probe over timeout_ms is killed with its group and reported as a timeout", async () => {
    const marker = `7.${process.pid}${Math.floor(Math.random() * 1000)}`; // unique to this run
    await withServer(
      { stuck: svc("", { target: `sh -c 'sleep ${marker}; true'`, timeout_ms: 150 }, 'restart = "never"\nstart_timeout_ms = 1200') },
      async (s) => {
        await waitState(s, "stuck", "starting");
        let most = 0;
        const seen = await waitFor(
          "a timed-out probe",
          async () => {
            most = Math.max(most, pidsWithArg(marker).length);
            const st = await status(s, "stuck");
            return st.health?.error ? st : null;
          },
          2000,
        );
        expect(seen.health!.error).toBe("timed out after 150 ms");
        expect(seen.state).toBe("starting");
        const end = await waitState(s, "stuck", "failed", undefined, 3000);
        expect(end.reason).toBe("start timeout");
        expect(most).toBeLessThanOrEqual(1);
        await waitFor("no probe left", () => pidsWithArg(marker).length === 0 || null, 1000);
      },
    );
  });

  // start_timeout_ms: a never-healthy service is killed; with restart = "never" it
  // ends failed (`start timeout`); with on-failure and max_restarts = 1 it is tried
  // once more, then given up.
  test("start timeout: a never-healthy service is killed and ends failed", async () => {
    await withServer(
      {
        never: svc("", { target: "false" }, 'restart = "never"\nstart_timeout_ms = 400'),
        twice: svc("", { target: "false" }, 'restart = "on-failure"\nstart_timeout_ms = 400\nrestart_delay_ms = 100\nmax_restarts = 1'),
        healthy: svc("", { target: "true" }, 'restart = "never"\nstart_timeout_ms = 400'),
      },
      async (s) => {
        const rec = await recordEvents(s);
        try {
          const first = await waitState(s, "never", "starting");
          const t0 = Date.now();
          const stopping = await waitFor("stopping event", () => rec.of("never").find((e) => e.to === "stopping"), 3000);
          expect(stopping.reason).toBe("start timeout after 400 ms");
          const end = await waitState(s, "never", "failed", undefined, 3000);
          expect(end.reason).toBe("start timeout");
          expect(end.pid).toBeNull();
          expect(end.restarts).toBe(0);
          expect(Date.now() - t0).toBeLessThan(1500);
          expect(procAlive(first.pid!)).toBe(false);
          expect(end.exit?.signal).toBe("SIGTERM");

          const gave = await waitState(s, "twice", "failed", undefined, 4000);
          expect(gave.reason).toBe("gave up after 1 restart: start timeout");
          expect(gave.restarts).toBe(1);
          expect(rec.of("twice").some((e) => e.reason === "start timeout; restarting in 100 ms (attempt 1)")).toBe(true);

          // start_timeout_ms bounds `starting` only: a healthy service outlives it
          const ok = await waitState(s, "healthy", "running");
          await Bun.sleep(Math.max(0, 600 - (Date.now() - t0)));
          expect(await status(s, "healthy")).toMatchObject({ state: "running", pid: ok.pid, restarts: 0 });
        } finally {
          rec.close();
        }
      },
    );
  });
});
