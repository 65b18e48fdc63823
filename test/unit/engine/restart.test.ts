import { describe, expect, test } from "bun:test";
import { decideOnExit, restartDelay, STABLE_RUN_MS } from "../../../src/server/engine/restart.ts";
import { exitOf, describeExit } from "../../../src/server/engine/exit.ts";
import type { Lifecycle } from "../../../src/sdk/config/types.ts";

const life = (o: Partial<Lifecycle> = {}): Lifecycle => ({
  restart: "always",
  stop_signal: "SIGTERM",
  start_timeout_ms: 30_000,
  stop_timeout_ms: 10_000,
  restart_delay_ms: 100,
  restart_delay_max_ms: 1_000,
  max_restarts: 0,
  stability_period_ms: 10_000,
  ...o,
});

describe("restartDelay", () => {
  test("doubles from the base and caps", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => restartDelay(n, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
  test("huge attempt numbers stay capped", () => {
    expect(restartDelay(5_000, 100, 60_000)).toBe(60_000);
  });
  test("zero base restarts at once", () => {
    expect(restartDelay(3, 0, 60_000)).toBe(0);
  });
});

describe("decideOnExit", () => {
  const ctx = (o: Partial<Parameters<typeof decideOnExit>[1]> = {}) => ({ oneshot: false, lifecycle: life(), consecutiveRestarts: 0, ranForMs: 50, ...o });

  test("always restarts even on exit 0, with growing delay", () => {
    expect(decideOnExit(exitOf(0, null), ctx())).toEqual({ action: "restart", delayMs: 100, attempt: 1, reason: "exit code 0; restarting in 100 ms (attempt 1)" });
    expect(decideOnExit(exitOf(1, null), ctx({ consecutiveRestarts: 2 }))).toMatchObject({ action: "restart", delayMs: 400, attempt: 3 });
  });

  test("on-failure: exit 0 ends exited, a signal restarts", () => {
    expect(decideOnExit(exitOf(0, null), ctx({ lifecycle: life({ restart: "on-failure" }) }))).toEqual({ action: "exited", reason: "exit code 0" });
    expect(decideOnExit(exitOf(null, "SIGKILL"), ctx({ lifecycle: life({ restart: "on-failure" }) })).action).toBe("restart");
  });

  test("never: non-zero is failed with the exit named", () => {
    expect(decideOnExit(exitOf(3, null), ctx({ lifecycle: life({ restart: "never" }) }))).toEqual({ action: "failed", reason: "exit code 3" });
    expect(decideOnExit(exitOf(null, "SIGKILL"), ctx({ lifecycle: life({ restart: "never" }) }))).toEqual({ action: "failed", reason: "killed by SIGKILL" });
  });

  test("max_restarts reached gives up and says how often it tried", () => {
    const d = decideOnExit(exitOf(1, null), ctx({ lifecycle: life({ max_restarts: 5 }), consecutiveRestarts: 5 }));
    expect(d).toEqual({ action: "failed", reason: "gave up after 5 restarts: exit code 1" });
  });

  test("a stable run resets the count", () => {
    const d = decideOnExit(exitOf(1, null), ctx({ lifecycle: life({ max_restarts: 5 }), consecutiveRestarts: 5, ranForMs: STABLE_RUN_MS }));
    expect(d).toMatchObject({ action: "restart", attempt: 1, delayMs: 100 });
  });

  test("stability_period_ms decides what a stable run is", () => {
    const short = life({ max_restarts: 5, stability_period_ms: 500 });
    // 499 ms is not stable: the sixth restart in a row is refused.
    expect(decideOnExit(exitOf(1, null), ctx({ lifecycle: short, consecutiveRestarts: 5, ranForMs: 499 })).action).toBe("failed");
    expect(decideOnExit(exitOf(1, null), ctx({ lifecycle: short, consecutiveRestarts: 5, ranForMs: 500 }))).toMatchObject({ action: "restart", attempt: 1 });
    // A long period keeps counting runs that the default would call stable.
    const long = life({ max_restarts: 5, stability_period_ms: 60_000 });
    expect(decideOnExit(exitOf(1, null), ctx({ lifecycle: long, consecutiveRestarts: 5, ranForMs: STABLE_RUN_MS })).action).toBe("failed");
    // 0: every run counts as stable, so the delay never grows.
    const zero = life({ stability_period_ms: 0 });
    expect(decideOnExit(exitOf(1, null), ctx({ lifecycle: zero, consecutiveRestarts: 7, ranForMs: 0 }))).toMatchObject({ attempt: 1, delayMs: 100 });
  });

  test("oneshot: exit 0 is done whatever the policy; failure follows the policy", () => {
    expect(decideOnExit(exitOf(0, null), ctx({ oneshot: true }))).toEqual({ action: "exited", reason: "exit code 0" });
    expect(decideOnExit(exitOf(2, null), ctx({ oneshot: true, lifecycle: life({ restart: "never" }) }))).toEqual({ action: "failed", reason: "exit code 2" });
    expect(decideOnExit(exitOf(2, null), ctx({ oneshot: true, lifecycle: life({ restart: "on-failure" }) })).action).toBe("restart");
  });

  test("a start timeout counts as a failure", () => {
    const exit = { ...exitOf(null, "SIGTERM"), timedOut: true };
    expect(describeExit(exit)).toBe("start timeout");
    expect(decideOnExit(exit, ctx({ lifecycle: life({ restart: "never" }) }))).toEqual({ action: "failed", reason: "start timeout" });
  });
});
