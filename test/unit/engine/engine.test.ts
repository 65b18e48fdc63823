/**
 * The engine's decisions, run in memory against a fake clock and fake processes
 * (world.ts): ordering, dependencies, restart and back-off, conflicts, health,
 * reload and shutdown. The integration tests prove the same behaviour through the
 * compiled executable with real processes; these prove the decisions alone, fast.
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { svc, unit, World, rng } from "./world.ts";

const life = (o: string) => `[lifecycle]\n${o}\n`;

describe("start order and parallelism", () => {
  test("a chain starts dependencies first, all in one pass at time 0", () => {
    const w = new World([svc("worker", 'requires = ["app"]'), svc("app", 'requires = ["db"]'), svc("db")]);
    expect(w.spawnOrder()).toEqual(["db", "app", "worker"]);
    expect(w.spawns.every((s) => s.at === 0)).toBe(true);
    for (const n of ["db", "app", "worker"]) expect(w.state(n)).toBe("running");
  });

  test("a health-checked requirement holds its dependent until the first probe passes", () => {
    let ready = false;
    const w = new World([svc("app", 'requires = ["db"]'), unit("db", `[service]\nexec = "db"\n[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\ninterval_ms = 1000\n`)], {
      db: { healthy: () => ready },
    });
    expect(w.state("db")).toBe("starting");
    expect(w.state("app")).toBe("blocked");
    expect(w.reason("app")).toBe("requires db (starting)");
    w.advance(2_000);
    expect(w.state("app")).toBe("blocked");
    ready = true;
    w.advance(300); // starting probes run at most every 250 ms
    expect(w.state("db")).toBe("running");
    expect(w.state("app")).toBe("running");
    expect(w.spawnOrder()).toEqual(["db", "app"]);
    // running keeps no timer: the start timeout was released with "starting"
    expect(w.armedTimers()).toEqual([]);
  });

  test("after waits for a unit that is on its way up, but does not pull it in", () => {
    const w = new World([svc("app", 'after = ["db"]'), unit("db", `[service]\nexec = "db"\nstatus = "stop"\n`)]);
    expect(w.state("app")).toBe("running");
    expect(w.state("db")).toBe("inactive");
  });

  test("wants pulls in and waits for a settle, but a failure does not block", () => {
    const w = new World([svc("app", 'wants = ["metrics"]'), unit("metrics", `[service]\nexec = "m"\nstatus = "stop"\n${life('restart = "never"')}`)], {
      metrics: { spawnFails: true },
    });
    expect(w.state("metrics")).toBe("failed");
    expect(w.state("app")).toBe("running");
  });

  test("a target is running once what it requires runs, and blocked before", () => {
    const w = new World([unit("multi", `[target]\n[dependencies]\nrequires = ["a", "b"]\n`), svc("a"), svc("b")], { b: { spawnFails: true } });
    expect(w.state("a")).toBe("running");
    expect(w.state("multi")).toBe("blocked");
    expect(w.reason("multi")).toContain("requires b (failed)");
  });
});

describe("dependencies at run time", () => {
  test("a requirement that crashes takes its dependent down first; both come back", () => {
    const w = new World([svc("app", 'requires = ["db"]'), unit("db", `[service]\nexec = "db"\n${life("restart_delay_ms = 100")}`)]);
    const appPid = w.pidOf("app");
    w.exit("db", 1);
    expect(w.state("db")).toBe("starting");
    expect(w.rec("db").phase).toBe("backoff");
    w.advance(10);
    expect(w.state("app")).toBe("blocked");
    expect(w.reason("app")).toMatch(/^requires db/);
    w.advance(200);
    expect(w.state("db")).toBe("running");
    expect(w.state("app")).toBe("running");
    expect(w.pidOf("app")).not.toBe(appPid);
  });

  test("a user stop of a requirement stops the dependent first and both end inactive", () => {
    const w = new World([svc("app", 'requires = ["db"]'), svc("db")]);
    w.stop("db");
    w.advance(50);
    expect(w.stopOrder()).toEqual(["app", "db"]);
    expect(w.state("app")).toBe("inactive");
    expect(w.reason("app")).toBe("requires db (stopped)");
    expect(w.state("db")).toBe("inactive");
    expect(w.reason("db")).toBe("stopped by user");
  });

  test("the requirement gets its stop signal only once its dependents have exited", () => {
    const w = new World([svc("app", 'requires = ["db"]'), svc("db")], { app: { dieMs: 40 } });
    w.stop("db");
    w.advance(30);
    expect(w.stopOrder()).toEqual(["app"]);
    w.advance(20);
    expect(w.stopOrder()).toEqual(["app", "db"]);
  });

  test("an unknown requirement keeps the unit blocked, naming it, until a reload adds it", () => {
    const w = new World([svc("app", 'requires = ["db"]')]);
    expect(w.state("app")).toBe("blocked");
    expect(w.reason("app")).toBe("requires unknown service db");
    const r = w.reload([svc("app", 'requires = ["db"]'), svc("db")]);
    expect(r?.added).toEqual(["db"]);
    expect(w.state("app")).toBe("running");
  });

  test("a dependency cycle fails exactly the units on it, naming the path", () => {
    const w = new World([svc("a", 'requires = ["b"]'), svc("b", 'requires = ["a"]'), svc("c")]);
    expect(w.state("a")).toBe("failed");
    expect(w.reason("a")).toMatch(/^dependency cycle: (a -> b -> a|b -> a -> b)$/);
    expect(w.state("c")).toBe("running");
    expect(() => w.start("a")).toThrow(ZinitError);
  });
});

describe("restart policy and back-off", () => {
  test("consecutive crashes wait base * 2^(n-1), capped, then give up after max_restarts", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n${life("restart_delay_ms = 100\nrestart_delay_max_ms = 300\nmax_restarts = 3")}`)]);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const crashAt = w.now;
      w.exit("x", 2);
      const before = w.spawns.length;
      while (w.spawns.length === before) w.advance(1);
      delays.push(w.now - crashAt);
    }
    expect(delays).toEqual([100, 200, 300]);
    w.exit("x", 2);
    expect(w.state("x")).toBe("failed");
    expect(w.reason("x")).toBe("gave up after 3 restarts: exit code 2");
    expect(w.rec("x").totalRestarts).toBe(3);
  });

  test("a run longer than the stability period resets the count", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n${life("restart_delay_ms = 100\nmax_restarts = 1")}`)]);
    w.exit("x", 1);
    w.advance(150);
    expect(w.state("x")).toBe("running");
    w.advance(10_001);
    w.exit("x", 1);
    expect(w.state("x")).toBe("starting"); // not failed: the count was reset
    expect(w.rec("x").consecutiveRestarts).toBe(1);
  });

  test("restart = on-failure: exit 0 ends exited, a signal death restarts", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n${life('restart = "on-failure"\nrestart_delay_ms = 10')}`)]);
    w.exit("x", null, "SIGSEGV");
    expect(w.reason("x")).toBe("killed by SIGSEGV; restarting in 10 ms (attempt 1)");
    w.advance(20);
    w.exit("x", 0);
    expect(w.state("x")).toBe("exited");
  });

  test("a oneshot is starting while it runs, exited on 0, and never restarted then", () => {
    const w = new World([unit("migrate", `[service]\nexec = "m"\noneshot = true\n`), svc("app", 'requires = ["migrate"]')], { migrate: { runMs: 50 } });
    expect(w.state("migrate")).toBe("starting");
    expect(w.state("app")).toBe("blocked");
    w.advance(60);
    expect(w.state("migrate")).toBe("exited");
    expect(w.state("app")).toBe("running");
    w.advance(1_000);
    expect(w.spawnOrder()).toEqual(["migrate", "app"]);
  });

  test("a spawn failure under restart = never is failed with the spawn error", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n${life('restart = "never"')}`)], { x: { spawnFails: true } });
    expect(w.state("x")).toBe("failed");
    expect(w.reason("x")).toContain("no such file");
  });

  test("start timeout: a never-healthy service is stopped and judged as a failure", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n[lifecycle]\nstart_timeout_ms = 500\nrestart = "never"\n[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\n`)], {
      x: { healthy: () => false },
    });
    w.advance(499);
    expect(w.state("x")).toBe("starting");
    w.advance(2);
    expect(w.state("x")).toBe("stopping");
    expect(w.reason("x")).toBe("start timeout after 500 ms");
    w.advance(10);
    expect(w.state("x")).toBe("failed");
    expect(w.reason("x")).toBe("start timeout");
  });

  test("retries failed probes while running make the service unhealthy: stopped and restarted", () => {
    let ok = true;
    const w = new World([unit("x", `[service]\nexec = "x"\n[lifecycle]\nrestart_delay_ms = 10\n[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\ninterval_ms = 100\nretries = 3\n`)], {
      x: { healthy: () => ok },
    });
    w.advance(1);
    expect(w.state("x")).toBe("running");
    const pid = w.pidOf("x");
    ok = false;
    w.advance(250);
    expect(w.state("x")).toBe("running"); // two failures are forgiven
    w.advance(100);
    expect(w.events.some((e) => e.name === "x" && e.to === "stopping" && e.reason.startsWith("health check failed 3 times"))).toBe(true);
    ok = true;
    w.advance(100);
    expect(w.state("x")).toBe("running");
    expect(w.pidOf("x")).not.toBe(pid);
  });

  test("a process that ignores the stop signal is killed after stop_timeout_ms and marked forced", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n${life("stop_timeout_ms = 300")}`)], { x: { ignores: ["SIGTERM"] } });
    w.stop("x");
    w.advance(299);
    expect(w.state("x")).toBe("stopping");
    w.advance(2);
    expect(w.signals.map((s) => s.signal)).toEqual(["SIGTERM", "SIGKILL"]);
    expect(w.state("x")).toBe("inactive");
    expect(w.rec("x").lastExit?.forced).toBe(true);
  });

  test("a stop is over only when the whole group is gone", () => {
    const w = new World([svc("x")], { x: { leftovers: 2, dieMs: 5 } });
    w.stop("x");
    w.advance(5);
    expect(w.state("x")).toBe("inactive");
    expect(w.armedTimers()).toEqual([]);
  });
});

describe("conflicts", () => {
  test("starting one side stops the other first; it ends inactive naming the winner", () => {
    const w = new World([svc("new", 'conflicts = ["old"]'), unit("old", `[service]\nexec = "old"\n`)]);
    // both status = start: the first in start order wins
    const up = ["new", "old"].filter((n) => w.state(n) === "running");
    expect(up.length).toBe(1);
    const loser = up[0] === "new" ? "old" : "new";
    expect(w.reason(loser)).toBe(`conflicts with ${up[0]}`);
    w.start(loser);
    expect(w.state(up[0]!)).toBe("stopping");
    expect(w.state(loser)).toBe("blocked");
    w.advance(10);
    expect(w.state(loser)).toBe("running");
    expect(w.state(up[0]!)).toBe("inactive");
    expect(w.reason(up[0]!)).toBe(`conflicts with ${loser}`);
  });
});

describe("operator commands", () => {
  test("restart gives a new pid and resets the count; kill without a process is refused", () => {
    const w = new World([svc("x"), unit("idle", `[service]\nexec = "i"\nstatus = "stop"\n`)]);
    const pid = w.pidOf("x");
    w.restart("x");
    w.advance(10);
    expect(w.state("x")).toBe("running");
    expect(w.pidOf("x")).not.toBe(pid);
    expect(() => w.feed({ type: "kill", name: "idle", signal: "TERM" })).toThrow(/has no running process/);
    expect(() => w.feed({ type: "kill", name: "x", signal: "NOPE" })).toThrow(/unknown signal/);
    expect(() => w.feed({ type: "start", name: "nope" })).toThrow(/unknown service "nope"/);
  });

  test("an ignored unit is never started, not even by pull-in; its dependent says why", () => {
    const w = new World([svc("app", 'requires = ["ign"]'), unit("ign", `[service]\nexec = "i"\nstatus = "ignore"\n`)]);
    expect(w.state("ign")).toBe("inactive");
    expect(w.reason("app")).toBe("requires ign (ignored)");
    expect(() => w.start("ign")).toThrow(/ignored/);
  });

  test("start-all and stop-all skip the system class", () => {
    const w = new World([svc("u"), unit("s", `[service]\nexec = "s"\nclass = "system"\n`)]);
    expect(w.feed({ type: "stop-all" })).toEqual(["u"]);
    w.advance(10);
    expect(w.state("u")).toBe("inactive");
    expect(w.state("s")).toBe("running");
    expect(w.feed({ type: "start-all" })).toEqual(["u"]);
    w.settle();
    expect(w.state("u")).toBe("running");
  });
});

describe("shutdown", () => {
  test("stops in reverse dependency order, branches in parallel, then reports done; new starts are refused", () => {
    const w = new World([svc("worker", 'requires = ["app"]'), svc("app", 'requires = ["db"]'), svc("db"), svc("side")]);
    w.shutdown();
    expect(() => w.feed({ type: "start", name: "db" })).toThrow(/shutting down/);
    // worker and side (independent) are signalled at once, then app, then db
    expect(w.signals.filter((s) => s.at === 0).map((s) => s.name).sort()).toEqual(["side", "worker"]);
    w.advance(100);
    const order = w.stopOrder().filter((n) => n !== "side");
    expect(order).toEqual(["worker", "app", "db"]);
    expect(w.shutdownDone).toBe(true);
    expect(w.armedTimers()).toEqual([]);
    for (const n of ["worker", "app", "db", "side"]) expect(w.state(n)).toBe("inactive");
  });

  test("a crash during shutdown is not restarted", () => {
    const w = new World([svc("app", 'requires = ["db"]'), svc("db")], { app: { ignores: ["SIGTERM"] } });
    w.shutdown();
    w.exit("db", 1);
    w.advance(20_000);
    expect(w.spawnOrder()).toEqual(["db", "app"]);
    expect(w.shutdownDone).toBe(true);
  });
});

describe("reload", () => {
  test("a changed exec restarts; a changed dependency list applies in place with the same pid", () => {
    const w = new World([svc("a"), svc("b")]);
    const [pa, pb] = [w.pidOf("a"), w.pidOf("b")];
    const r = w.reload([unit("a", `[service]\nexec = "run a --new"\n`), svc("b", 'after = ["a"]')]);
    expect(r?.changed).toEqual([
      { name: "a", restarted: true },
      { name: "b", restarted: false },
    ]);
    w.advance(20);
    expect(w.pidOf("a")).not.toBe(pa);
    expect(w.pidOf("b")).toBe(pb);
    expect(w.state("a")).toBe("running");
  });

  test("a removed unit is stopped after its dependents, which wait blocked naming it", () => {
    const w = new World([svc("app", 'requires = ["db"]'), svc("db")], { app: { dieMs: 30 } });
    w.reload([svc("app", 'requires = ["db"]')]);
    expect(w.reloads.length).toBe(0); // waits for db to go down
    w.advance(100);
    expect(w.reloads[0]?.removed).toEqual(["db"]);
    expect(w.model.records.has("db")).toBe(false);
    expect(w.state("app")).toBe("blocked");
    expect(w.reason("app")).toBe("requires unknown service db");
  });

  test("stop, start, delete in a row: the removed unit goes down for good and the reload finishes", () => {
    const w = new World([svc("db")]);
    w.stop("db");
    expect(w.state("db")).toBe("stopping");
    w.feed({ type: "start", name: "db" }); // wanted again while stopping: would come back after the stop
    w.reload([]);
    w.advance(50);
    expect(w.reloads[0]?.removed).toEqual(["db"]);
    expect(w.model.records.has("db")).toBe(false);
    expect(w.spawns.length).toBe(1);
  });

  test("a user stop during a restart by reload keeps the unit down", () => {
    const w = new World([svc("a")], { a: { dieMs: 20 } });
    w.reload([unit("a", `[service]\nexec = "run a --new"\n`)]);
    w.stop("a");
    w.advance(100);
    expect(w.state("a")).toBe("inactive");
    expect(w.spawns.length).toBe(1);
  });

  test("status changed to stop stops the unit; removing the health check of a starting unit makes it running", () => {
    const w = new World([svc("a"), unit("h", `[service]\nexec = "h"\n[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\n`)], { h: { healthy: () => false } });
    w.advance(100);
    expect(w.state("h")).toBe("starting");
    const hp = w.pidOf("h");
    w.reload([unit("a", `[service]\nexec = "run a"\nstatus = "stop"\n`), unit("h", `[service]\nexec = "h"\n`)]);
    expect(w.state("h")).toBe("running");
    expect(w.reason("h")).toBe(`health check removed (pid ${hp})`);
    w.advance(10);
    expect(w.state("a")).toBe("inactive");
    expect(w.reason("a")).toBe("status changed to stop");
  });
});

describe("invariants under random load", () => {

  test("200 units, 2,000 random crashes, stops and starts: no illegal transition, everything wanted comes back", () => {
    const rand = rng(42);
    const units = [];
    for (let i = 0; i < 200; i++) {
      const deps = i > 0 && rand() < 0.6 ? `requires = ["s${Math.floor(rand() * i)}"]` : "";
      units.push(unit(`s${i}`, `[service]\nexec = "s${i}"\n[lifecycle]\nrestart_delay_ms = ${1 + Math.floor(rand() * 50)}\nrestart_delay_max_ms = 200\n[dependencies]\n${deps}\n`));
    }
    const w = new World(units);
    for (let i = 0; i < 2_000; i++) {
      const name = `s${Math.floor(rand() * 200)}`;
      const r = rand();
      try {
        if (r < 0.6 && w.pidOf(name) !== null) w.exit(name, rand() < 0.5 ? 1 : null, rand() < 0.5 ? "SIGKILL" : null);
        else if (r < 0.75) w.stop(name);
        else w.start(name);
      } catch (err) {
        if (!(err instanceof ZinitError)) throw err;
      }
      w.advance(Math.floor(rand() * 30));
    }
    for (let i = 0; i < 200; i++) w.start(`s${i}`);
    w.advance(5_000);
    for (let i = 0; i < 200; i++) expect(`s${i}:${w.state(`s${i}`)}`).toBe(`s${i}:running`);
    expect(w.armedTimers()).toEqual([]);
    expect(w.steps).toBeGreaterThan(5_000);
  });
});

describe("readiness notification (ready_fd)", () => {
  const ready = (w: World, name: string) => {
    w.feed({ type: "ready", name, pid: w.pidOf(name)! });
    w.settle();
  };

  test("starting until the line comes; its dependents wait for it", () => {
    const w = new World([unit("db", `[service]\nexec = "db"\nready_fd = 3\n`), svc("app", 'requires = ["db"]')]);
    expect(w.state("db")).toBe("starting");
    expect(w.reason("db")).toMatch(/^waiting for readiness on fd 3 \(pid \d+\)$/);
    expect(w.state("app")).toBe("blocked");
    w.advance(5_000);
    expect(w.state("app")).toBe("blocked");
    ready(w, "db");
    expect(w.state("db")).toBe("running");
    expect(w.reason("db")).toMatch(/^ready \(pid \d+\)$/);
    expect(w.state("app")).toBe("running");
    expect(w.armedTimers()).toEqual([]);
  });

  test("with a health check, running needs both, whichever comes last", () => {
    let ok = false;
    const w = new World([unit("db", `[service]\nexec = "db"\nready_fd = 4\n[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\n`)], { db: { healthy: () => ok } });
    ready(w, "db");
    expect(w.state("db")).toBe("starting");
    expect(w.reason("db")).toMatch(/^ready; waiting for health check/);
    ok = true;
    w.advance(300);
    expect(w.state("db")).toBe("running");

    let ok2 = true;
    const v = new World([unit("db", `[service]\nexec = "db"\nready_fd = 4\n[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\n`)], { db: { healthy: () => ok2 } });
    v.advance(1);
    expect(v.state("db")).toBe("starting");
    expect(v.reason("db")).toMatch(/^healthy; waiting for readiness on fd 4/);
    ready(v, "db");
    expect(v.state("db")).toBe("running");
    ok2 = false;
  });

  test("start_timeout_ms bounds the wait; a late line from the old process is ignored", () => {
    const w = new World([unit("db", `[service]\nexec = "db"\nready_fd = 3\n[lifecycle]\nstart_timeout_ms = 200\nrestart_delay_ms = 50\n`)]);
    const first = w.pidOf("db")!;
    w.advance(201);
    expect(w.state("db")).toBe("stopping");
    w.advance(10);
    expect(w.state("db")).toBe("starting");
    expect(w.reason("db")).toMatch(/^start timeout; restarting in 50 ms/);
    w.feed({ type: "ready", name: "db", pid: first });
    w.settle();
    expect(w.state("db")).toBe("starting");
    w.advance(60);
    ready(w, "db");
    expect(w.state("db")).toBe("running");
  });
});

describe("critical units", () => {
  const critical = (name: string, extra = "") => unit(name, `[service]\nexec = "${name}"\ncritical = true\n${extra}`);

  test("ending failed asks zinit to go down with the unit's exit code", () => {
    const w = new World([critical("x", '[lifecycle]\nrestart = "never"\n'), svc("other")]);
    w.exit("x", 7);
    expect(w.state("x")).toBe("failed");
    expect(w.criticals).toEqual([{ name: "x", status: 7, reason: "exit code 7" }]);
  });

  test("only once it gives up: restarts before max_restarts are not a failure; a signal death is 128+N", () => {
    const w = new World([critical("x", "[lifecycle]\nrestart_delay_ms = 10\nmax_restarts = 1\n")]);
    w.exit("x", null, "SIGKILL");
    expect(w.criticals).toEqual([]);
    w.advance(20);
    w.exit("x", null, "SIGKILL");
    expect(w.criticals).toEqual([{ name: "x", status: 137, reason: "gave up after 1 restart: killed by SIGKILL" }]);
  });

  test("a spawn failure (it never ran) is status 1; a user stop is no failure at all", () => {
    const w = new World([critical("x", '[lifecycle]\nrestart = "never"\n'), critical("y")], { x: { spawnFails: true } });
    expect(w.criticals.map((c) => [c.name, c.status])).toEqual([["x", 1]]);
    w.stop("y");
    w.advance(20);
    expect(w.state("y")).toBe("inactive");
    expect(w.criticals.length).toBe(1);
  });

  test("a failure during the shutdown does not ask again", () => {
    const w = new World([critical("x", '[lifecycle]\nrestart = "never"\n')], { x: { ignores: ["SIGTERM"] } });
    w.shutdown();
    w.exit("x", 3);
    expect(w.criticals).toEqual([]);
  });
});
