/**
 * The supervisor loop's wiring to the services' cgroups, with the in-memory
 * ProcessSystem and an in-memory ServiceCgroups: each run is spawned into the
 * cgroup prepared for it; an OOM kill counted in the cgroup is told to the engine
 * before the leader's exit; a stop goes through the cgroup (signal, then kill)
 * and ends when the cgroup says it is empty; a reload writes changed limits; an
 * unloaded service's cgroup is released. The real cgroup files are exercised in
 * the QEMU test (test/integration/vm/cgroups.test.ts).
 */
import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import type { Resources, ServiceConfig, Unit } from "../../../src/sdk/config/types.ts";
import type { CgroupFigures, ServiceCgroups } from "../../../src/server/effects/cgroups.ts";
import type { ServiceListener, ServiceProcess } from "../../../src/server/effects/process.ts";
import { planReload } from "../../../src/server/engine/reload.ts";
import { Supervisor } from "../../../src/server/supervisor.ts";
import { FakeProcesses } from "../../helpers/fake-processes.ts";

function unit(name: string, toml: string): Unit {
  const r = parseUnit(toml, `${name}.toml`);
  if ("errors" in r) throw new Error(JSON.stringify(r.errors));
  return r.unit;
}

/** FakeProcesses that remember which cgroup each spawn was placed in. */
class PlacedProcesses extends FakeProcesses {
  readonly placed: { pid: number; cgroup: string | undefined }[] = [];
  override spawn(config: ServiceConfig, listener: ServiceListener, cgroup?: string): ServiceProcess {
    const p = super.spawn(config, listener);
    this.placed.push({ pid: p.pid, cgroup });
    return p;
  }
}

/**
 * Cgroups over the fake processes: a cgroup is populated while the group of its
 * current run lives or it holds `daemons` (processes that left the group; gone
 * on a signal unless `stubborn`, always on a kill).
 */
class FakeCgroups implements ServiceCgroups {
  readonly calls: string[] = [];
  readonly daemons = new Map<string, number>();
  readonly ooms = new Map<string, number>();
  stubborn = false;
  unenforced: string[] = [];
  private readonly pids = new Map<string, number>();
  private readonly watchers = new Map<string, () => void>();
  constructor(private readonly procs: PlacedProcesses) {}

  /** The pid of the run spawned into `name`'s cgroup (the fake learns it after the spawn). */
  private pidOf(name: string): number | undefined {
    const last = this.procs.placed.filter((p) => p.cgroup === `/cg/${name}.service`).at(-1);
    if (last) this.pids.set(name, last.pid);
    return this.pids.get(name);
  }

  prepare(name: string, resources: Resources | null) {
    this.calls.push(`prepare ${name} ${resources?.memory_max ?? "-"}`);
    this.daemons.delete(name);
    this.ooms.delete(name);
    return { path: `/cg/${name}.service`, unenforced: this.unenforced };
  }
  apply(name: string, resources: Resources | null): string[] {
    this.calls.push(`apply ${name} ${resources?.memory_max ?? "-"}`);
    return [];
  }
  populated(name: string): boolean {
    const pid = this.pidOf(name);
    return (pid !== undefined && this.procs.groupAlive(pid)) || (this.daemons.get(name) ?? 0) > 0;
  }
  oomKills(name: string): number {
    return this.ooms.get(name) ?? 0;
  }
  signal(name: string, pgid: number, signal: string): void {
    this.calls.push(`signal ${name} ${signal}`);
    this.procs.signalGroup(pgid, signal);
    if (!this.stubborn) this.daemonsGone(name);
  }
  kill(name: string, pgid: number): void {
    this.calls.push(`kill ${name}`);
    this.procs.signalGroup(pgid, "SIGKILL");
    this.daemonsGone(name);
  }
  private daemonsGone(name: string): void {
    setTimeout(() => {
      this.daemons.delete(name);
      this.notify(name);
    }, 3);
  }
  /** Called by the test (or a death) when something in `name`'s cgroup may have ended. */
  notify(name: string): void {
    if (this.populated(name)) return;
    const cb = this.watchers.get(name);
    this.watchers.delete(name);
    cb?.();
  }
  watchEmpty(name: string, onEmpty: () => void): (() => void) | null {
    if (!this.populated(name)) return null;
    this.calls.push(`watch ${name}`);
    this.watchers.set(name, onEmpty);
    return () => this.watchers.delete(name);
  }
  figures(name: string, withProcesses = true): CgroupFigures | null {
    return { memory_bytes: 4096, cpu_ms: 7, pids: 1, processes: withProcesses ? [{ pid: this.pidOf(name) ?? 0, cmd: "fake" }] : [] };
  }
  release(name: string): void {
    this.calls.push(`release ${name}`);
  }
  releaseAll(): void {
    this.calls.push("release all");
  }
}

function start(units: Unit[], tune: (cg: FakeCgroups) => void = () => {}) {
  const processes = new PlacedProcesses();
  const cgroups = new FakeCgroups(processes);
  tune(cgroups);
  const errors: unknown[] = [];
  const sup = new Supervisor(units, { processes, cgroups, forward: false, onError: (e) => errors.push(e) });
  const until = async (what: string, cond: () => boolean, ms = 2_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(sup.lookup(units[0]!.name)?.reason)} ${cgroups.calls.join(", ")}`);
      await Bun.sleep(2);
    }
  };
  const rec = (n: string) => sup.lookup(n)!;
  return { sup, processes, cgroups, errors, until, rec };
}

const svc = (name: string, extra = "") => unit(name, `[service]\nexec = ["fake"]\n${extra}`);

describe("supervisor loop with cgroups", () => {
  test("each run is spawned into the cgroup prepared for it; status figures come from the cgroup", async () => {
    const w = start([svc("web", '[resources]\nmemory_max = "32M"\n')]);
    await w.until("running", () => w.rec("web").state === "running");
    const pid = w.rec("web").pid!;
    expect(w.processes.placed).toEqual([{ pid, cgroup: "/cg/web.service" }]);
    expect(w.cgroups.calls).toEqual([`prepare web ${32 * 2 ** 20}`]);
    expect(w.rec("web").cgroup).toBe(true);
    expect(w.rec("web").reason).toBe(`started (pid ${pid})`);
    expect(w.sup.cgroupFigures("web")).toEqual({ memory_bytes: 4096, cpu_ms: 7, pids: 1, processes: [{ pid, cmd: "fake" }] });
    expect(w.sup.cgroupMemory("web")).toBe(4096);
    await w.sup.shutdown();
    expect(w.cgroups.calls.at(-1)).toBe("release all");
    expect(w.errors).toEqual([]);
  });

  test("limits the cgroup could not take are named in the reason", async () => {
    const w = start([svc("web", '[resources]\ncpu_max = "50%"\n')], (cg) => (cg.unenforced = ["cpu_max (no cpu controller)"]));
    await w.until("running", () => w.rec("web").state === "running");
    expect(w.rec("web").reason).toBe(`started (pid ${w.rec("web").pid}); limits not enforced: cpu_max (no cpu controller)`);
    await w.sup.shutdown();
  });

  test("an OOM kill counted in the cgroup is the reason of the leader's SIGKILL; the next run gets a fresh cgroup", async () => {
    const w = start([svc("hog", '[resources]\nmemory_max = "32M"\n[lifecycle]\nrestart_delay_ms = 10\n')]);
    await w.until("running", () => w.rec("hog").state === "running");
    const first = w.rec("hog").pid!;
    w.cgroups.ooms.set("hog", 1);
    w.processes.signalGroup(first, "SIGKILL");
    await w.until("restarting", () => w.rec("hog").state === "starting");
    expect(w.rec("hog").reason).toBe("killed by the OOM killer (memory_max 32M); restarting in 10 ms (attempt 1)");
    await w.until("running again", () => w.rec("hog").state === "running" && w.rec("hog").pid !== first);
    expect(w.cgroups.calls.filter((c) => c.startsWith("prepare"))).toHaveLength(2);
    await w.sup.shutdown();
    expect(w.errors).toEqual([]);
  });

  test("a stop signals through the cgroup, kills it after stop_timeout_ms, and ends when it is empty", async () => {
    const w = start([svc("d", "[lifecycle]\nstop_timeout_ms = 50\n")], (cg) => (cg.stubborn = true));
    await w.until("running", () => w.rec("d").state === "running");
    w.cgroups.daemons.set("d", 1);
    w.sup.stop("d");
    await w.until("draining", () => w.rec("d").phase === "draining");
    expect(w.rec("d").state).toBe("stopping");
    await w.until("inactive", () => w.rec("d").state === "inactive");
    expect(w.cgroups.calls.slice(1)).toEqual(["signal d SIGTERM", "watch d", "kill d"]);
    expect(w.rec("d").reason).toBe("stopped by user");
    expect(w.rec("d").lastExit?.forced).toBe(true);
    expect(w.errors).toEqual([]);
  });

  test("a reload that changes only [resources] writes them into the live cgroup; an unloaded service's cgroup is released", async () => {
    const units = [svc("a", '[resources]\nmemory_max = "32M"\n'), svc("b")];
    const w = start(units);
    await w.until("running", () => w.rec("a").state === "running" && w.rec("b").state === "running");
    const pid = w.rec("a").pid;
    const next = [svc("a", '[resources]\nmemory_max = "64M"\n')];
    const result = await w.sup.applyReload(planReload(w.sup.units(), { units: next, errors: [] }));
    expect(result.changed).toEqual([{ name: "a", restarted: false }]);
    expect(result.removed).toEqual(["b"]);
    expect(w.rec("a").pid).toBe(pid);
    expect(w.cgroups.calls).toContain(`apply a ${64 * 2 ** 20}`);
    expect(w.cgroups.calls).toContain("release b");
    await w.sup.shutdown();
    expect(w.errors).toEqual([]);
  });
});
