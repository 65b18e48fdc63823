/**
 * The engine's decisions for services that run in a cgroup of their own: stops
 * that reach the whole cgroup and last until it is empty, a crash that leaves
 * processes behind, OOM kills as a reason the restart policy judges, limits that
 * could not be enforced named in the reason, and limits changed in place by a
 * reload. In memory, against the fake world (world.ts).
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { svc, unit, World, type Behaviour, rng } from "./world.ts";

const limited = (name: string, resources: string, extra = "") => unit(name, `[service]\nexec = "run ${name}"\n${extra}\n[resources]\n${resources}\n`);

describe("stops through the cgroup", () => {
  test("a stop signals the whole cgroup; SIGKILL to the cgroup after stop_timeout_ms; stopping until it is empty", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n[lifecycle]\nstop_timeout_ms = 300\n`)], {
      x: { cgroup: true, escaped: 1, ignores: ["SIGTERM"] },
    });
    expect(w.rec("x").cgroup).toBe(true);
    w.stop("x");
    w.advance(299);
    expect(w.state("x")).toBe("stopping");
    expect(w.escapedOf("x")).toBe(1);
    w.advance(2);
    expect(w.signals.map((s) => s.signal)).toEqual(["SIGTERM", "SIGKILL"]);
    expect(w.escapedOf("x")).toBe(0);
    expect(w.state("x")).toBe("inactive");
    expect(w.rec("x").lastExit?.forced).toBe(true);
    expect(w.rec("x").cgroup).toBe(false);
    expect(w.armedTimers()).toEqual([]);
  });

  test("a daemon that left the process group keeps the service stopping after its leader is gone", () => {
    // The leader obeys at once; what it left in the cgroup takes 50 ms.
    const w = new World([svc("x")], { x: { cgroup: true, escaped: 1, dieMs: 5, escapedDieMs: 50 } });
    const rec = w.rec("x");
    w.stop("x");
    w.advance(5);
    expect(w.state("x")).toBe("stopping");
    expect(rec.phase).toBe("draining");
    // A process-group end says nothing about a cgroup.
    w.feed({ type: "group-gone", name: "x", pgid: rec.pid! });
    expect(w.state("x")).toBe("stopping");
    w.advance(44);
    expect(w.state("x")).toBe("stopping");
    w.advance(1);
    expect(w.state("x")).toBe("inactive");
    expect(w.reason("x")).toBe("stopped by user");
  });

  test("shutdown is done only once every cgroup is empty", () => {
    const w = new World([svc("a"), svc("b", 'requires = ["a"]')], { a: { cgroup: true, escaped: 2, dieMs: 10 }, b: { cgroup: true } });
    w.shutdown();
    expect(w.shutdownDone).toBe(false);
    w.advance(30);
    expect(w.shutdownDone).toBe(true);
    expect(w.escapedOf("a")).toBe(0);
    expect(w.state("a")).toBe("inactive");
  });
});

describe("a crash that leaves processes in the cgroup", () => {
  test("stopping until the cgroup is empty, then the restart policy; no new run beside the old one's debris", () => {
    const w = new World([unit("x", `[service]\nexec = "x"\n[lifecycle]\nstop_timeout_ms = 200\nrestart_delay_ms = 10\n`)], {
      x: { cgroup: true, escaped: 1, ignores: ["SIGTERM"] },
    });
    const first = w.pidOf("x");
    w.exit("x", 3);
    expect(w.state("x")).toBe("stopping");
    expect(w.reason("x")).toBe("exit code 3; stopping the rest of its cgroup");
    expect(w.signals.map((s) => s.signal)).toEqual(["SIGTERM"]);
    w.advance(150);
    expect(w.spawns.length).toBe(1);
    w.advance(60); // stop_timeout_ms: the cgroup is killed, then the back-off
    expect(w.signals.map((s) => s.signal)).toEqual(["SIGTERM", "SIGKILL"]);
    expect(w.transitionsOf("x")).toContain("stopping->starting");
    expect(w.rec("x").lastExit?.code).toBe(3);
    w.advance(20);
    expect(w.state("x")).toBe("running");
    expect(w.pidOf("x")).not.toBe(first);
    expect(w.spawns.length).toBe(2);
  });

  test("its dependents go down at once, without waiting for another event", () => {
    const w = new World([svc("db"), svc("app", 'requires = ["db"]')], { db: { cgroup: true, escaped: 1, ignores: ["SIGTERM"] } });
    w.exit("db", 1);
    w.advance(6); // app obeys its stop signal in 5 ms; db's cgroup lives on until stop_timeout_ms
    expect(w.state("db")).toBe("stopping");
    expect(w.state("app")).toBe("blocked");
    expect(w.reason("app")).toBe("requires db (stopping)");
  });

  test("a user stop during that clean-up ends inactive, not restarted", () => {
    const w = new World([svc("x")], { x: { cgroup: true, escaped: 1, ignores: ["SIGTERM"] } });
    w.exit("x", 1);
    w.stop("x");
    w.advance(20_000);
    expect(w.state("x")).toBe("inactive");
    expect(w.spawns.length).toBe(1);
  });
});

describe("OOM kills", () => {
  test("an OOM kill is the reason, naming memory_max; the restart policy applies", () => {
    const w = new World([limited("hog", 'memory_max = "32M"')], { hog: { cgroup: true } });
    const pid = w.pidOf("hog")!;
    w.feed({ type: "oom-killed", name: "hog", pid });
    w.exit("hog", null, "SIGKILL");
    expect(w.state("hog")).toBe("starting");
    expect(w.reason("hog")).toBe("killed by the OOM killer (memory_max 32M); restarting in 1000 ms (attempt 1)");
    w.advance(1_000);
    expect(w.state("hog")).toBe("running");
    // The next run starts clean: its own exit is judged on its own.
    w.exit("hog", null, "SIGKILL");
    expect(w.reason("hog")).toStartWith("killed by SIGKILL; restarting");
  });

  test("restart = never: failed with the OOM reason; without memory_max the reason has no limit", () => {
    const w = new World([limited("a", 'memory_max = "1G"', "[lifecycle]\nrestart = \"never\""), svc("b", "", "")], {
      a: { cgroup: true },
      b: { cgroup: true },
    });
    w.feed({ type: "oom-killed", name: "a", pid: w.pidOf("a")! });
    w.exit("a", 137);
    expect(w.state("a")).toBe("failed");
    expect(w.reason("a")).toBe("killed by the OOM killer (memory_max 1G)");
    w.feed({ type: "oom-killed", name: "b", pid: w.pidOf("b")! });
    w.exit("b", null, "SIGKILL");
    expect(w.reason("b")).toStartWith("killed by the OOM killer; restarting");
  });

  test("an OOM report about an earlier process is ignored", () => {
    const w = new World([limited("x", 'memory_max = "32M"', '[lifecycle]\nrestart_delay_ms = 10')], { x: { cgroup: true } });
    const old = w.pidOf("x")!;
    w.exit("x", 1);
    w.advance(10);
    w.feed({ type: "oom-killed", name: "x", pid: old });
    w.exit("x", 1);
    expect(w.reason("x")).toStartWith("exit code 1; restarting");
  });
});

describe("limits that are not enforced", () => {
  test("without a cgroup, a service with [resources] says so in its reason; one without says nothing", () => {
    const w = new World([limited("a", "pids_max = 16"), svc("b"), limited("c", "")]);
    expect(w.reason("a")).toBe(`started (pid ${w.pidOf("a")}); limits not enforced: no writable cgroup v2`);
    expect(w.reason("b")).toBe(`started (pid ${w.pidOf("b")})`);
    // An empty [resources] asks for nothing.
    expect(w.reason("c")).toBe(`started (pid ${w.pidOf("c")})`);
  });

  test("in a cgroup, the keys that could not be written are named, through starting and running", () => {
    let healthy = false;
    const w = new World([limited("a", 'cpu_max = "10%"\npids_max = 8', '[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\ninterval_ms = 100')], {
      a: { cgroup: true, unenforced: ["cpu_max (no cpu controller)"], healthy: () => healthy },
    });
    const pid = w.pidOf("a");
    expect(w.reason("a")).toBe(`waiting for health check (pid ${pid}); limits not enforced: cpu_max (no cpu controller)`);
    healthy = true;
    w.advance(300);
    expect(w.reason("a")).toBe(`healthy (pid ${pid}); limits not enforced: cpu_max (no cpu controller)`);
  });

  test("in a cgroup with every key written, the reason is plain", () => {
    const w = new World([limited("a", "pids_max = 8")], { a: { cgroup: true } });
    expect(w.reason("a")).toBe(`started (pid ${w.pidOf("a")})`);
  });
});

describe("reload", () => {
  test("changed limits are written in place: same pid, not restarted; exec still restarts", () => {
    const w = new World([limited("a", 'memory_max = "64M"'), limited("b", 'memory_max = "64M"')], { a: { cgroup: true }, b: { cgroup: true } });
    const pa = w.pidOf("a");
    const r = w.reload([limited("a", 'memory_max = "128M"'), unit("b", '[service]\nexec = "run b --new"\n[resources]\nmemory_max = "128M"\n')]);
    expect(r?.changed).toEqual([
      { name: "a", restarted: false },
      { name: "b", restarted: true },
    ]);
    expect(w.pidOf("a")).toBe(pa);
    expect(w.limitsApplied).toEqual(["a"]);
    w.advance(20);
    expect(w.state("b")).toBe("running");
  });

  test("nothing to write for a process without a cgroup, or when the limits did not change", () => {
    const w = new World([limited("a", 'memory_max = "64M"'), limited("b", 'memory_max = "64M"')], { b: { cgroup: true } });
    const pb = w.pidOf("b");
    const r = w.reload([limited("a", 'memory_max = "128M"'), unit("b", '[service]\nexec = "run b"\n[dependencies]\nafter = ["a"]\n[resources]\nmemory_max = "64M"\n')]);
    expect(r?.changed.map((c) => c.restarted)).toEqual([false, false]);
    expect(w.pidOf("b")).toBe(pb);
    expect(w.limitsApplied).toEqual([]);
  });
});

describe("invariants under random load, in cgroups", () => {

  test("100 units with daemons outside their groups, 1,000 random crashes, OOM kills, stops and starts: all come back, no timer left", () => {
    const rand = rng(7);
    const units = [];
    const behaviour: Record<string, Behaviour> = {};
    for (let i = 0; i < 100; i++) {
      const deps = i > 0 && rand() < 0.5 ? `requires = ["s${Math.floor(rand() * i)}"]` : "";
      units.push(unit(`s${i}`, `[service]\nexec = "s${i}"\n[lifecycle]\nrestart_delay_ms = ${1 + Math.floor(rand() * 30)}\nrestart_delay_max_ms = 100\nstop_timeout_ms = 40\n[dependencies]\n${deps}\n[resources]\nmemory_max = "64M"\n`));
      behaviour[`s${i}`] = { cgroup: true, escaped: Math.floor(rand() * 3), escapedDieMs: Math.floor(rand() * 20), ignores: rand() < 0.2 ? ["SIGTERM"] : [] };
    }
    const w = new World(units, behaviour);
    for (let i = 0; i < 1_000; i++) {
      const name = `s${Math.floor(rand() * 100)}`;
      const r = rand();
      try {
        const pid = w.pidOf(name);
        if (r < 0.1 && pid !== null) w.feed({ type: "oom-killed", name, pid });
        else if (r < 0.6 && pid !== null) w.exit(name, rand() < 0.5 ? 1 : null, rand() < 0.5 ? "SIGKILL" : null);
        else if (r < 0.75) w.stop(name);
        else w.start(name);
      } catch (err) {
        if (!(err instanceof ZinitError) && !String(err).includes("has no process")) throw err;
      }
      w.advance(Math.floor(rand() * 30));
    }
    for (let i = 0; i < 100; i++) w.start(`s${i}`);
    w.advance(5_000);
    for (let i = 0; i < 100; i++) expect(`s${i}:${w.state(`s${i}`)}`).toBe(`s${i}:running`);
    expect(w.armedTimers()).toEqual([]);
    w.shutdown();
    w.advance(1_000);
    expect(w.shutdownDone).toBe(true);
  });
});
