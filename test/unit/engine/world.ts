/**
 * An in-memory world for the engine: a fake clock, fake processes and fake probes.
 * It carries out the engine's commands the way src/server/supervisor.ts does —
 * a spawn is answered at once, a pass runs "after" the current event at the same
 * time, timers fire in time order — so whole service graphs run in microseconds,
 * deterministically.
 *
 * A fake process lives until it is told to exit (`crash`, `exit`) or gets a signal
 * it does not ignore; it then exits after `dieMs` (default 5 ms).
 */
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { formatIssue, type Unit } from "../../../src/sdk/config/types.ts";
import type { StateEvent } from "../../../src/sdk/protocol/types.ts";
import { newModel, step, timerKey, type EngineModel } from "../../../src/server/engine/engine.ts";
import type { Command, EngineEvent } from "../../../src/server/engine/io.ts";
import { exitOf } from "../../../src/server/engine/exit.ts";
import { planReload } from "../../../src/server/engine/reload.ts";
import type { ReloadResult } from "../../../src/sdk/protocol/types.ts";

/** The graph tests' mulberry32: a random run with a fixed seed replays. */
export { prng as rng } from "../graph/nodes.ts";

/** A unit from its TOML body; the name comes from the file name as on disk. */
export function unit(name: string, toml: string): Unit {
  const r = parseUnit(toml, `${name}.toml`);
  if ("errors" in r) throw new Error(r.errors.map(formatIssue).join("\n"));
  return r.unit;
}

/** A long-running service: `svc("app", 'requires = ["db"]')` puts the text under [dependencies]. */
export function svc(name: string, deps = "", extra = ""): Unit {
  return unit(name, `[service]\nexec = "run ${name}"\n${extra}\n[dependencies]\n${deps}\n`);
}

interface FakeProcess {
  name: string;
  pid: number;
  alive: boolean;
  /** members of its group still alive after the leader ends */
  leftovers: number;
  /** spawned into a cgroup of its own */
  cgroup: boolean;
  /** processes of its cgroup that left its process group (a double-forked daemon) */
  escaped: number;
  /** a `watch-cgroup` waits for its cgroup to empty */
  watched: boolean;
}

interface Due {
  at: number;
  seq: number;
  fire: () => void;
}

export interface Behaviour {
  /** signals the process ignores (e.g. "SIGTERM") */
  ignores?: string[];
  /** how long the process takes to die after a signal it obeys */
  dieMs?: number;
  /** a oneshot (or any process) that ends by itself after this long with this code */
  runMs?: number;
  exitCode?: number;
  /** the spawn fails (no such file) */
  spawnFails?: boolean;
  /** the start fails on something that may be fixed (a bad env file): the restart policy judges it */
  startError?: string;
  /** health probe answer, per call */
  healthy?: () => boolean;
  /** processes left in the group when the leader dies, gone after `dieMs` once signalled */
  leftovers?: number;
  /** spawned into a cgroup of its own (as the loop does where cgroups are usable) */
  cgroup?: boolean;
  /** with cgroup: processes in its cgroup outside its group, gone only by `signal-cgroup` or `kill-cgroup` */
  escaped?: number;
  /** with cgroup: how long the escaped take to die after `signal-cgroup` (default dieMs) */
  escapedDieMs?: number;
  /** with cgroup: the limits the loop could not write, as it reports them */
  unenforced?: string[];
}

export class World {
  readonly model: EngineModel = newModel();
  now = 0;
  readonly events: StateEvent[] = [];
  readonly signals: { at: number; name: string; signal: string }[] = [];
  readonly spawns: { at: number; name: string; pid: number }[] = [];
  readonly behaviour = new Map<string, Behaviour>();
  readonly reloads: ReloadResult[] = [];
  readonly criticals: { name: string; status: number; reason: string }[] = [];
  /** units whose limits were rewritten in place (`apply-limits`) */
  readonly limitsApplied: string[] = [];
  steps = 0;
  shutdownDone = false;
  private nextPid = 100;
  private seq = 0;
  private queue: Due[] = [];
  private timers = new Map<string, Due>();
  private probes = new Map<string, Due>();
  private procs = new Map<number, FakeProcess>();
  private pendingPass = false;
  private nextToken = 1;

  constructor(units: Unit[] = [], behaviour: Record<string, Behaviour> = {}) {
    for (const [k, v] of Object.entries(behaviour)) this.behaviour.set(k, v);
    this.feed({ type: "load", units });
    this.settle();
  }

  // ------------------------------------------------------------ driving

  /** Feeds an event and carries out its commands (a refusal throws, as in the server). */
  feed(e: EngineEvent): string[] | undefined {
    this.steps++;
    const r = step(this.model, e, this.now);
    this.carryOut(r.commands);
    return r.names;
  }

  start(name: string) {
    this.feed({ type: "start", name });
    this.settle();
  }
  stop(name: string) {
    this.feed({ type: "stop", name });
    this.settle();
  }
  restart(name: string) {
    this.feed({ type: "restart", name });
    this.settle();
  }
  shutdown() {
    this.feed({ type: "shutdown" });
    this.settle();
  }
  reload(units: Unit[]): ReloadResult | undefined {
    const plan = planReload([...this.model.records.values()].map((r) => r.unit), { units, errors: [] });
    const before = this.reloads.length;
    this.feed({ type: "reload", plan, token: this.nextToken++ });
    this.settle();
    return this.reloads[before];
  }

  /** Runs the passes asked for at the current time. */
  settle(): void {
    for (let i = 0; this.pendingPass && i < 1000; i++) {
      this.pendingPass = false;
      this.feed({ type: "pass" });
    }
  }

  /** Moves the clock forward, firing what is due in order, each followed by its passes. */
  advance(ms: number): void {
    const end = this.now + ms;
    this.settle();
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.now = next.at;
      next.fire();
      this.settle();
    }
    this.now = end;
  }

  /** The process of `name` ends by itself now (a crash when code != 0). */
  exit(name: string, code: number | null = 1, signal: string | null = null): void {
    const pid = this.pidOf(name);
    if (pid === null) throw new Error(`${name} has no process`);
    this.end(pid, code, signal);
    this.settle();
  }

  // ------------------------------------------------------------ reading

  state(name: string): string {
    return this.rec(name).state;
  }
  reason(name: string): string {
    return this.rec(name).reason;
  }
  pidOf(name: string): number | null {
    return this.rec(name).pid;
  }
  rec(name: string) {
    const r = this.model.records.get(name);
    if (!r) throw new Error(`no unit ${name}`);
    return r;
  }
  /** Names in the order their processes were spawned, from index `from` of the spawn log. */
  spawnOrder(from = 0): string[] {
    return this.spawns.slice(from).map((s) => s.name);
  }
  stopOrder(): string[] {
    return this.signals.filter((s) => s.signal !== "SIGKILL").map((s) => s.name);
  }
  transitionsOf(name: string): string[] {
    return this.events.filter((e) => e.name === name).map((e) => `${e.from}->${e.to}`);
  }
  armedTimers(): string[] {
    return [...this.model.armed].map((k) => k.replaceAll("\0", ":")).sort();
  }

  // ------------------------------------------------------------ the fake system

  private at(delay: number, fire: () => void): Due {
    const d = { at: this.now + delay, seq: this.seq++, fire };
    this.queue.push(d);
    return d;
  }

  private unschedule(d: Due | undefined): void {
    if (d) this.queue = this.queue.filter((x) => x !== d);
  }

  private carryOut(commands: Command[]): void {
    let batch = commands;
    while (batch.length > 0) {
      const answers: EngineEvent[] = [];
      for (const c of batch) {
        const a = this.command(c);
        if (a) answers.push(a);
      }
      batch = [];
      for (const a of answers) {
        this.steps++;
        batch.push(...step(this.model, a, this.now).commands);
      }
    }
  }

  private command(c: Command): EngineEvent | void {
    switch (c.kind) {
      case "emit":
        this.events.push(c.event);
        return;
      case "schedule-pass":
        this.pendingPass = true;
        return;
      case "spawn": {
        const b = this.behaviour.get(c.name) ?? {};
        if (b.spawnFails) return { type: "spawn-failed", name: c.name, message: `spawn failed: run ${c.name}: no such file` };
        if (b.startError !== undefined) return { type: "spawn-failed", name: c.name, message: b.startError, retry: true };
        const pid = this.nextPid++;
        const cgroup = b.cgroup === true;
        this.procs.set(pid, { name: c.name, pid, alive: true, leftovers: b.leftovers ?? 0, cgroup, escaped: cgroup ? (b.escaped ?? 0) : 0, watched: false });
        this.spawns.push({ at: this.now, name: c.name, pid });
        if (b.runMs !== undefined) this.at(b.runMs, () => this.end(pid, b.exitCode ?? 0, null));
        if (!cgroup) return { type: "spawned", name: c.name, pid };
        return { type: "spawned", name: c.name, pid, cgroup, unenforced: b.unenforced ?? [] };
      }
      case "signal-cgroup": {
        const p = this.procs.get(c.pgid);
        if (!p) return;
        this.signals.push({ at: this.now, name: p.name, signal: c.signal });
        const b = this.behaviour.get(p.name) ?? {};
        if (b.ignores?.includes(c.signal)) return;
        const die = b.dieMs ?? 5;
        // At the same time, the escaped go first: the leader then finds its cgroup empty.
        this.at(b.escapedDieMs ?? die, () => {
          p.escaped = 0;
          this.cgroupMaybeEmpty(p);
        });
        this.at(die, () => {
          if (p.alive) this.end(p.pid, null, c.signal);
          p.leftovers = 0;
          this.cgroupMaybeEmpty(p);
        });
        return;
      }
      case "kill-cgroup": {
        const p = this.procs.get(c.pgid);
        if (!p) return;
        this.signals.push({ at: this.now, name: p.name, signal: "SIGKILL" });
        this.at(0, () => {
          if (p.alive) this.end(p.pid, null, "SIGKILL");
          p.leftovers = 0;
          p.escaped = 0;
          this.cgroupMaybeEmpty(p);
        });
        return;
      }
      case "watch-cgroup": {
        const p = [...this.procs.values()].filter((x) => x.name === c.name).at(-1);
        if (!p || (!p.alive && p.leftovers === 0 && p.escaped === 0)) return { type: "cgroup-empty", name: c.name };
        p.watched = true;
        return;
      }
      case "apply-limits":
        this.limitsApplied.push(c.name);
        return;
      case "signal": {
        const p = this.procs.get(c.pgid);
        if (!p) return;
        this.signals.push({ at: this.now, name: p.name, signal: c.signal });
        const b = this.behaviour.get(p.name) ?? {};
        if (c.signal !== "SIGKILL" && b.ignores?.includes(c.signal)) return;
        const die = c.signal === "SIGKILL" ? 0 : (b.dieMs ?? 5);
        this.at(die, () => {
          if (p.alive) this.end(p.pid, null, c.signal);
          p.leftovers = 0;
          this.groupMaybeGone(p);
        });
        return;
      }
      case "arm": {
        const key = timerKey(c.timer);
        this.unschedule(this.timers.get(key));
        this.timers.set(
          key,
          this.at(c.ms, () => {
            this.timers.delete(key);
            this.feed({ type: "timer", timer: c.timer });
          }),
        );
        return;
      }
      case "cancel": {
        const key = timerKey(c.timer);
        this.unschedule(this.timers.get(key));
        this.timers.delete(key);
        return;
      }
      case "watch-group": {
        const p = this.procs.get(c.pgid);
        if (!p || p.leftovers === 0) return { type: "group-gone", name: c.name, pgid: c.pgid };
        return;
      }
      case "probe": {
        this.unschedule(this.probes.get(c.name));
        this.probes.set(
          c.name,
          this.at(c.delayMs, () => {
            this.probes.delete(c.name);
            const r = this.model.records.get(c.name);
            if (!r || r.pid === null) return;
            const ok = (this.behaviour.get(c.name)?.healthy ?? (() => true))();
            this.feed({ type: "probe-result", name: c.name, pid: r.pid, ok, error: ok ? null : "connection refused" });
          }),
        );
        return;
      }
      case "cancel-probe":
        this.unschedule(this.probes.get(c.name));
        this.probes.delete(c.name);
        return;
      case "fit-ring":
      case "forget":
        return;
      case "reload-done":
        this.reloads.push(c.result);
        return;
      case "shutdown-done":
        this.shutdownDone = true;
        return;
      case "critical-failure":
        this.criticals.push({ name: c.name, status: c.status, reason: c.reason });
        return;
    }
  }

  private end(pid: number, code: number | null, signal: string | null): void {
    const p = this.procs.get(pid);
    if (!p || !p.alive) return;
    p.alive = false;
    this.feed({ type: "leader-exited", name: p.name, pid, exit: exitOf(code, signal), groupAlive: p.leftovers > 0 || p.escaped > 0 });
  }

  /** Processes of `name`'s cgroup left outside its group, as a daemon that double-forked leaves them. */
  escapedOf(name: string): number {
    return [...this.procs.values()].filter((p) => p.name === name).reduce((n, p) => n + p.escaped, 0);
  }

  private cgroupMaybeEmpty(p: FakeProcess): void {
    if (p.alive || p.leftovers > 0 || p.escaped > 0 || !p.watched) return;
    p.watched = false;
    this.feed({ type: "cgroup-empty", name: p.name });
  }

  private groupMaybeGone(p: FakeProcess): void {
    if (!p.alive && p.leftovers === 0) this.feed({ type: "group-gone", name: p.name, pgid: p.pid });
  }
}
