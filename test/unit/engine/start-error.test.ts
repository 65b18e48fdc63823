/**
 * A start that fails on an env file is judged by the restart policy, with its
 * back-off, like a process that failed at once; a missing program is still failed
 * at once (retrying cannot find it). The engine runs in memory (world.ts).
 */
import { describe, expect, test } from "bun:test";
import { svc, unit, World } from "./world.ts";

const BAD = "env_file /etc/app.env: line 3: expected KEY=VALUE";
const life = (body: string) => `[lifecycle]\nrestart_delay_ms = 100\nrestart_delay_max_ms = 1000\n${body}\n`;

describe("a start that fails on an env file", () => {
  test("restart = always: retried with back-off, the reason naming file and line; running once the file is fixed", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${life("")}`)], { app: { startError: BAD } });
    expect(w.state("app")).toBe("starting");
    expect(w.reason("app")).toBe(`${BAD}; restarting in 100 ms (attempt 1)`);
    expect(w.pidOf("app")).toBeNull();
    w.advance(100);
    expect(w.reason("app")).toBe(`${BAD}; restarting in 200 ms (attempt 2)`);
    w.advance(200);
    expect(w.reason("app")).toBe(`${BAD}; restarting in 400 ms (attempt 3)`);
    // The file is fixed: the next try starts it.
    w.behaviour.set("app", {});
    w.advance(400);
    expect(w.state("app")).toBe("running");
    expect(w.rec("app").totalRestarts).toBe(3);
    // No process ran: there is no exit to show.
    expect(w.rec("app").lastExit).toBeNull();
  });

  test("restart = never: failed at once with the reason, no retry", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${life('restart = "never"')}`)], { app: { startError: BAD } });
    expect(w.state("app")).toBe("failed");
    expect(w.reason("app")).toBe(BAD);
    w.advance(5_000);
    expect(w.spawns.length).toBe(0);
  });

  test("max_restarts bounds the retries", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${life("max_restarts = 2")}`)], { app: { startError: BAD } });
    w.advance(10_000);
    expect(w.state("app")).toBe("failed");
    expect(w.reason("app")).toBe(`gave up after 2 restarts: ${BAD}`);
  });

  test("a dependent waits while its requirement retries, and starts once it runs", () => {
    const w = new World([unit("db", `[service]\nexec = "db"\n${life("")}`), svc("app", 'requires = ["db"]')], { db: { startError: BAD } });
    expect(w.state("app")).toBe("blocked");
    w.behaviour.set("db", {});
    w.advance(100);
    expect(w.state("db")).toBe("running");
    expect(w.state("app")).toBe("running");
  });

  test("a missing program is still failed at once, whatever the policy", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${life("")}`)], { app: { spawnFails: true } });
    expect(w.state("app")).toBe("failed");
    w.advance(5_000);
    expect(w.state("app")).toBe("failed");
  });
});

describe("stability_period_ms", () => {
  test("a run as long as the period resets the consecutive count; a shorter one does not", () => {
    const w = new World([unit("app", `[service]\nexec = "app"\n${life("stability_period_ms = 300")}`)]);
    w.exit("app", 1);
    expect(w.reason("app")).toContain("(attempt 1)");
    w.advance(100);
    w.advance(299);
    w.exit("app", 1);
    expect(w.reason("app")).toContain("(attempt 2)");
    w.advance(200);
    w.advance(300);
    w.exit("app", 1);
    expect(w.reason("app")).toContain("(attempt 1)");
  });
});
