/**
 * The last sweep of pid1's shutdown: an orphan that ignores SIGTERM keeps PID 1
 * waiting for the whole grace period (ZINIT_GRACE_MS) before SIGKILL. The wait is
 * kept, but the log must say what it is waiting for: how long, how many, which.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { asRoot, nsPidOf, service, waitFor, withPid1 } from "./lib.ts";

setDefaultTimeout(30_000);

describe.skipIf(!asRoot)("pid1's final sweep", () => {
  test("an orphan ignoring SIGTERM: the log names it while waiting the grace period, then SIGKILL, exit 0", async () => {
    await withPid1(
      {
        // The orphan is in a session of its own, so the service's stop does not reach it;
        // the ignored SIGTERM survives the exec into sleep.
        leaver: service(`setsid sh -c "trap '' TERM; exec sleep 100901" & exec sleep 100900`),
      },
      async (run) => {
        const orphan = await waitFor("the orphan", () => run.running("sleep 100901")[0]);
        const nsPid = nsPidOf(orphan.pid);
        const t0 = performance.now();
        process.kill(run.init, "SIGTERM");
        expect(await run.waitExit(8000)).toBe(0);
        const ms = performance.now() - t0;
        const out = run.output();
        const waiting = out.indexOf(`[zinit-pid1] warn: sweep: waiting up to 500 ms for 1 process to exit after SIGTERM: ${nsPid} (sleep)`);
        const killed = out.indexOf(`[zinit-pid1] warn: sweep: SIGKILL to 1 process still alive 500 ms after SIGTERM: ${nsPid} (sleep)`);
        expect(waiting).toBeGreaterThan(out.indexOf("[zinit] all services stopped"));
        expect(killed).toBeGreaterThan(waiting);
        expect(out.indexOf("[zinit-pid1] all stopped; exiting")).toBeGreaterThan(killed);
        // The grace was really spent (ZINIT_GRACE_MS=500 in these tests), and not much more.
        expect(ms).toBeGreaterThan(500);
        expect(ms).toBeLessThan(4000);
      },
    );
  });

  test("processes that end on SIGTERM are not waited for, and nothing is said about it", async () => {
    await withPid1(
      { leaver: service(`setsid sh -c "exec sleep 100911" & exec sleep 100910`) },
      async (run) => {
        await waitFor("the orphan", () => run.running("sleep 100911")[0]);
        process.kill(run.init, "SIGTERM");
        expect(await run.waitExit(8000)).toBe(0);
        expect(run.output()).not.toContain("sweep:");
        expect(run.output()).toContain("all stopped; exiting");
      },
    );
  });
});
