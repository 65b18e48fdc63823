/**
 * stability_period_ms through the compiled server: a run that lasted the period
 * resets the consecutive-restart count, so max_restarts counts only a real crash
 * loop.
 */
import { describe, expect, test } from "bun:test";
import { waitFor, waitState, withServer } from "../supervisor/lib.ts";

const svc = (script: string, extra = "") => `[service]\nexec = ["sh", "-c", ${JSON.stringify(script)}]\n${extra}\n[logging]\nforward = false\n`;

describe("stability_period_ms", () => {
  test("runs as long as the period reset the count: a crash loop of stable runs never gives up; the default does", async () => {
    // Each run lasts ~300 ms. With a 200 ms period every run is stable, so
    // max_restarts = 1 is never reached; with the default 10 s it is at once.
    const crash = (period: string) => svc("sleep 0.3; exit 1", `[lifecycle]\nrestart_delay_ms = 20\nmax_restarts = 1\n${period}`);
    await withServer({ stable: crash("stability_period_ms = 200"), strict: crash("") }, async (s) => {
      const st = await waitState(s, "strict", "failed", "gave up after 1 restart: exit code 1");
      expect(st.restarts).toBe(1);
      await waitFor("four restarts of stable", async () => (await s.rpc("service.status", { name: "stable" })).restarts >= 4, 5_000);
      const stable = await s.rpc("service.status", { name: "stable" });
      expect(stable.state).not.toBe("failed");
      expect(stable.config.lifecycle.stability_period_ms).toBe(200);
    });
  });
});
