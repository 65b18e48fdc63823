/**
 * restart_delay_ms = 0: a process that ended is started again by the next pass,
 * at the same instant, with no back-off timer in between; a start that failed
 * (an env file) still waits for its timer, so it is not retried within one walk.
 */
import { describe, expect, test } from "bun:test";
import { unit, World } from "./world.ts";

const noDelay = `[lifecycle]\nrestart_delay_ms = 0\nrestart_delay_max_ms = 0\n`;

describe("restart with no delay", () => {
  test("a crash is followed by a new process at once, and no timer is armed", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${noDelay}`)]);
    const first = w.pidOf("app");
    const spawned = w.spawns.length;
    w.exit("app", 1);
    expect(w.armedTimers()).toEqual([]);
    expect(w.state("app")).toBe("running");
    expect(w.pidOf("app")).not.toBe(first);
    expect(w.spawns.length).toBe(spawned + 1);
    expect(w.spawns.at(-1)!.at).toBe(w.now);
    expect(w.transitionsOf("app").slice(-2)).toEqual(["running->starting", "starting->running"]);
  });

  test("a start that fails on an env file goes through the timer, even with no delay", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${noDelay}`)], { app: { startError: "env_file /x.env: missing" } });
    expect(w.state("app")).toBe("starting");
    expect(w.armedTimers()).toEqual(["app:backoff"]);
    // One try, then the timer: not a burst of tries within the walk that made the first.
    expect(w.reason("app")).toBe("env_file /x.env: missing; restarting in 0 ms (attempt 1)");
    expect(w.steps).toBeLessThan(10);
  });
});
