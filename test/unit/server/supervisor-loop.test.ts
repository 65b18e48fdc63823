/**
 * The supervisor loop (src/server/supervisor.ts) with the in-memory ProcessSystem:
 * proves the wiring between the engine and the effects — spawns answered, exits and
 * group ends reported, timers armed and cancelled, probes run, reloads and the
 * shutdown resolved — without real processes. The engine's decisions have their own
 * tests (test/unit/engine); the compiled binary's integration tests prove the effects.
 */
import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import type { Unit } from "../../../src/sdk/config/types.ts";
import type { StateEvent } from "../../../src/sdk/protocol/types.ts";
import { planReload } from "../../../src/server/engine/reload.ts";
import { Supervisor } from "../../../src/server/supervisor.ts";
import { FakeProcesses } from "../../helpers/fake-processes.ts";

function unit(name: string, toml: string): Unit {
  const r = parseUnit(toml, `${name}.toml`);
  if ("errors" in r) throw new Error(JSON.stringify(r.errors));
  return r.unit;
}

function start(units: Unit[]) {
  const processes = new FakeProcesses();
  const events: StateEvent[] = [];
  const errors: unknown[] = [];
  const sup = new Supervisor(units, { processes, forward: false, onError: (e) => errors.push(e) });
  sup.onState((e) => events.push(e));
  const until = async (what: string, cond: () => boolean, ms = 2_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; events: ${events.map((e) => `${e.name}:${e.to}`).join(" ")}`);
      await Bun.sleep(2);
    }
  };
  const state = (n: string) => sup.lookup(n)?.state;
  return { sup, processes, events, errors, until, state };
}

describe("supervisor loop with fake processes", () => {
  test("a chain comes up in order; its output is kept; shutdown stops it in reverse and resolves", async () => {
    const w = start([
      unit("db", `[service]\nexec = ["fake", "say:db up"]\n`),
      unit("app", `[service]\nexec = ["fake"]\n[dependencies]\nrequires = ["db"]\n`),
    ]);
    await w.until("both running", () => w.state("db") === "running" && w.state("app") === "running");
    expect(w.processes.spawned.map((s) => s.exec.join(" "))).toEqual(["fake say:db up", "fake"]);
    await w.until("the log line", () => w.sup.logs("db", 10).length === 1);
    expect(w.sup.logs("db", 10)[0]?.line).toBe("db up");
    await w.sup.shutdown();
    const stops = w.events.filter((e) => e.to === "inactive").map((e) => e.name);
    expect(stops).toEqual(["app", "db"]);
    expect(w.errors).toEqual([]);
  });

  test("a crash is restarted after its back-off; max_restarts then gives up", async () => {
    const w = start([unit("x", `[service]\nexec = ["fake", "exit:1@5"]\n[lifecycle]\nrestart_delay_ms = 10\nmax_restarts = 2\n`)]);
    await w.until("failed", () => w.state("x") === "failed");
    expect(w.processes.spawned.length).toBe(3);
    expect(w.sup.lookup("x")?.reason).toBe("gave up after 2 restarts: exit code 1");
  });

  test("a stop waits for the whole group: a member left behind is signalled and waited for", async () => {
    const w = start([unit("x", `[service]\nexec = ["fake", "child", "trap:SIGTERM"]\n[lifecycle]\nstop_timeout_ms = 30\n`)]);
    await w.until("running", () => w.state("x") === "running");
    const pid = w.sup.lookup("x")!.pid!;
    w.sup.stop("x");
    await w.until("inactive", () => w.state("x") === "inactive");
    // the leader trapped SIGTERM: only the SIGKILL after stop_timeout_ms ended it, and the child with it
    expect(w.processes.groupAlive(pid)).toBe(false);
    expect(w.sup.lookup("x")?.lastExit).toMatchObject({ signal: "SIGKILL", forced: true });
  });

  test("a crashed leader's leftovers get the stop signal before the restart", async () => {
    const w = start([unit("x", `[service]\nexec = ["fake", "child", "exit:1@5"]\n[lifecycle]\nrestart_delay_ms = 20\nmax_restarts = 1\n`)]);
    await w.until("second spawn", () => w.processes.spawned.length === 2);
    const first = w.processes.spawned[0]!.pid;
    expect(w.processes.groupAlive(first)).toBe(false);
  });

  test("health probes drive starting -> running; a spawn failure is failed with the reason", async () => {
    const w = start([
      unit("h", `[service]\nexec = ["fake"]\n[health]\ntype = "exec"\ntarget = "true"\ninterval_ms = 50\n`),
      unit("m", `[service]\nexec = "/nonexistent/zinit-test"\n[lifecycle]\nrestart = "never"\n`),
    ]);
    await w.until("h running", () => w.state("h") === "running");
    expect(w.sup.lookup("h")?.reason).toMatch(/^healthy \(pid \d+\)$/);
    await w.until("m failed", () => w.state("m") === "failed");
    expect(w.sup.lookup("m")?.reason).toBe("spawn failed: /nonexistent/zinit-test: no such file");
  });

  test("a reload that removes a unit resolves once it is down and unloaded", async () => {
    const a = unit("a", `[service]\nexec = ["fake"]\n`);
    const w = start([a, unit("b", `[service]\nexec = ["fake"]\n`)]);
    await w.until("running", () => w.state("a") === "running" && w.state("b") === "running");
    const result = await w.sup.applyReload(planReload(w.sup.units(), { units: [a], errors: [] }));
    expect(result.removed).toEqual(["b"]);
    expect(w.sup.lookup("b")).toBeUndefined();
    expect(() => w.sup.logs("b", 1)).toThrow(/unknown service/);
  });
});
