/**
 * The supervisor's decisions, as one pure step function:
 *
 *     step(model, event, now) -> commands
 *
 * `step` updates the model in place and returns the commands the loop must carry
 * out (src/server/supervisor.ts). It never reads a clock, arms a timer, spawns or
 * signals anything itself, so whole service graphs run in memory in the unit tests
 * against a fake clock.
 *
 * # The state model
 *
 * Every unit has a *desired* state (`up` or `down`: what the operator asked for,
 * through status = "start", start, stop, a pull-in by a dependent) and a *current*
 * state, one of the seven public states. Below the public state, a *phase* says
 * where the process is, and a *stop cause* says why zinit is taking it down:
 *
 *   state      phase                      meaning
 *   inactive   idle                       no process; not wanted up, or waiting for a pass
 *   blocked    idle                       wanted up; the reason names what it waits for
 *   starting   spawning                   a spawn command is out (answered within the step)
 *   starting   spawned                    process alive: a oneshot running, or waiting for
 *                                         its first passing health check (start-timeout armed)
 *   starting   backoff                    crashed; waiting restart_delay before the next spawn
 *                                         (backoff armed); `idle` once the wait is over
 *   running    spawned                    process alive (and healthy); a target: requirements up
 *   stopping   signalled | killed         stop signal sent (stop-kill armed) | SIGKILL sent
 *   stopping   draining                   the leader is gone, other members of its process
 *                                         group are not yet (a `watch-group` is out), or,
 *                                         for a process in a cgroup of its own, other
 *                                         processes of the cgroup (a `watch-cgroup` is out;
 *                                         a crash gets here too, and is judged once the
 *                                         cgroup is empty)
 *   exited     idle                       ended and will not be restarted (exit 0)
 *   failed     idle                       gave up, or lies on a dependency cycle
 *
 * Stop causes (set from the decision to take a live process down until its group
 * is gone, so dependents read it as "going down"): user, conflict and shutdown end
 * `inactive`; restart and reload end `inactive` with the unit wanted up again, so the
 * next pass starts it; dependency ends `blocked` (it comes back with its requirement);
 * timeout and unhealthy are failures that the restart policy judges, like a crash.
 *
 * A process spawned into a cgroup of its own (`spawned` with `cgroup`) is stopped
 * through it: the stop signal goes to its group and to whatever left the group
 * (`signal-cgroup`), the SIGKILL after stop_timeout_ms to the whole cgroup
 * (`kill-cgroup`), and its end is the cgroup becoming empty (`cgroup-empty`).
 * An `oom-killed` before the leader's exit makes that exit an OOM kill.
 *
 * Every state change goes through `setState`, which calls the pure `transition`
 * (it refuses edges the model does not allow and stamps from, to, when and why),
 * releases the timers the new state does not keep (KEEPS, after systemd's
 * service_set_state), ends health probing outside starting/running, and emits the
 * event.
 *
 * # The pass
 *
 * Commands and process events only record facts (desired state, a stop cause, an
 * exit) and ask for a pass. A pass walks the units in start order (dependencies
 * first) and takes, for each, the one step its dependencies allow: stop it when it
 * lost a requirement or is wanted down and its dependents are gone, start it when
 * everything it waits for has settled. A pass never waits; it repeats its walk until
 * nothing changes. The loop coalesces passes, so 1,000 exits at once cost one pass.
 * A spawn suspends the walk: the loop answers `spawned` (with the pid) or
 * `spawn-failed` at once, and the walk resumes where it stopped.
 *
 * A walk looks only at the units marked dirty (dinit's queues, in start order):
 * a unit's step reads nothing but its own record and those of its neighbours (what
 * it depends on, what depends on it, what it conflicts with), so a unit whose
 * neighbourhood did not change since it was last looked at would take no step.
 * Every state change marks the unit and those of its neighbours whose step can
 * read the change (see markAround), and so does a walk step that changed a unit;
 * an operator command marks every unit. So a process exit
 * costs a look at its neighbours, not at every unit and edge: with 1,000 units and
 * 90,000 edges the difference is ~10^5 checks per exit.
 */
import type { Resources, Unit } from "../../sdk/config/types.ts";
import { ZinitError } from "../../sdk/errors.ts";
import { buildGraph } from "../../sdk/graph/index.ts";
import type { Graph } from "../../sdk/graph/types.ts";
import { normalizeSignal, signalNumber } from "../../sdk/config/signals.ts";
import type { ServiceState } from "../../sdk/states.ts";
import type { ReloadResult } from "../../sdk/protocol/types.ts";
import type { Command, EngineEvent, TimerPurpose, TimerRef } from "./io.ts";
import { isOneshot, newRecord, startStatus, type ServiceRecord, type StopCause } from "./model.ts";
import { dependentStillUp, lostRequirement, startBlockers } from "./readiness.ts";
import { decideOnExit } from "./restart.ts";
import { formatBytes, hasLimits } from "../../sdk/config/resources.ts";
import { describeExit, exitOf, type ExitStatus } from "./exit.ts";
import type { ReloadPlan } from "./reload.ts";
import { transition } from "./transition.ts";

/** While starting, probe often so a service is running soon after it is healthy. */
export const STARTING_PROBE_MAX_MS = 250;

/** Why a unit is being taken down, in words, for the state reason. */
const STOP_WORDS: Record<StopCause, string> = {
  user: "stopped by user",
  restart: "restarting",
  dependency: "lost a requirement",
  conflict: "stopped for a conflicting service",
  shutdown: "shutdown",
  timeout: "start timeout",
  unhealthy: "health check failed",
  reload: "definition changed",
};

/** The per-unit timers each state keeps; entering a state cancels the others. */
const KEEPS: Record<ServiceState, readonly TimerPurpose[]> = {
  inactive: [],
  blocked: [],
  starting: ["backoff", "start-timeout"],
  running: [],
  stopping: ["stop-kill"],
  exited: [],
  failed: [],
};
const PER_STATE_TIMERS: readonly TimerPurpose[] = ["backoff", "start-timeout", "stop-kill"];

/** A walk can go round this often before we call it a bug rather than wait forever. */
const MAX_ROUNDS = 64;

export interface EngineModel {
  readonly records: Map<string, ServiceRecord>;
  graph: Graph;
  /** unit names in start order (dependencies first) */
  order: string[];
  /** the words for the reason a unit going down will end with */
  readonly stopNotes: Map<string, string>;
  /** the timers that are armed, by timerKey */
  readonly armed: Set<string>;
  shuttingDown: boolean;
  /** someone waits for the shutdown to finish */
  shutdownPending: boolean;
  passScheduled: boolean;
  /** each unit's index in `order` */
  position: Map<string, number>;
  /** by index in `order`: 1 when the next walk must look at that unit */
  dirty: Uint8Array;
  /** by index in `order`: the indexes of its neighbours, made on first need */
  neighbours: (Neighbours | undefined)[];
  /** by index in `order`: its record (undefined once unloaded) */
  recAt: (ServiceRecord | undefined)[];
  /**
   * by index in `order`: where among its dependents (graph.dependentsOf) the one
   * that held its stop back was found when it was last looked at, or -1 (none
   * found, or not looked at). The next search starts there, and a change of any
   * other dependent cannot let it stop, so it is not looked at again for that.
   */
  upHint: Int32Array;
  /** a walk suspended on a spawn: where to resume */
  walk: { round: number; index: number } | null;
  /** reloads waiting for their removed units to go down */
  readonly reloads: { plan: ReloadPlan; token: number }[];
}

/** A unit's neighbours by what a change of it means to them (see markAround). */
interface Neighbours {
  /**
   * its dependents and its conflicts: their steps read it. The dependents come
   * first, in the order of graph.dependentsOf (-1 for one that has no index: on a
   * cycle), so that an upHint indexes them too; the conflicts follow.
   */
  readers: Int32Array;
  /** what it depends on: their steps read it only to know whether they may stop */
  below: Int32Array;
}

const NO_INDEXES = new Int32Array(0);
const NO_NEIGHBOURS: Neighbours = Object.freeze({ readers: NO_INDEXES, below: NO_INDEXES });
const indexArray = (xs: number[]): Int32Array => (xs.length === 0 ? NO_INDEXES : new Int32Array(xs));

export function newModel(): EngineModel {
  return {
    records: new Map(),
    graph: buildGraph([]),
    order: [],
    stopNotes: new Map(),
    armed: new Set(),
    shuttingDown: false,
    shutdownPending: false,
    passScheduled: false,
    position: new Map(),
    dirty: new Uint8Array(0),
    neighbours: [],
    recAt: [],
    upHint: new Int32Array(0),
    walk: null,
    reloads: [],
  };
}

export function timerKey(t: TimerRef): string {
  return t.pgid === undefined ? `${t.name}\0${t.purpose}` : `${t.name}\0${t.purpose}\0${t.pgid}`;
}

export interface StepResult {
  commands: Command[];
  /** names affected by start-all / stop-all */
  names?: string[];
}

/** Applies one event. Throws a ZinitError (and changes nothing) when a command is refused. */
export function step(model: EngineModel, event: EngineEvent, now: number): StepResult {
  const s = new Step(model, now);
  const names = s.apply(event);
  return names === undefined ? { commands: s.out } : { commands: s.out, names };
}

/** One call of `step`: the model, the time, and the commands collected so far. */
class Step {
  readonly out: Command[] = [];
  constructor(
    private readonly m: EngineModel,
    private readonly now: number,
  ) {}

  apply(e: EngineEvent): string[] | void {
    switch (e.type) {
      case "load":
        return this.load(e.units);
      case "start":
        return this.start(e.name);
      case "stop":
        return this.stop(e.name);
      case "restart":
        return this.restart(e.name);
      case "kill":
        return this.kill(e.name, e.signal);
      case "start-all":
        return this.startAll();
      case "stop-all":
        return this.stopAll();
      case "shutdown":
        return this.shutdown();
      case "reload":
        return this.reload(e.plan, e.token);
      case "pass":
        this.m.passScheduled = false;
        return this.walk();
      case "spawned":
        return this.spawned(e.name, e.pid, e.cgroup === true, e.unenforced ?? []);
      case "spawn-failed":
        return this.spawnFailed(e.name, e.message, e.retry === true);
      case "leader-exited":
        return this.leaderExited(e.name, e.pid, e.exit, e.groupAlive);
      case "group-gone":
        return this.groupGone(e.name, e.pgid);
      case "cgroup-empty":
        return this.cgroupEmpty(e.name);
      case "oom-killed":
        return this.oomKilled(e.name, e.pid);
      case "timer":
        return this.timerFired(e.timer);
      case "probe-result":
        return this.probeResult(e.name, e.pid, e.ok, e.error);
      case "ready":
        return this.ready(e.name, e.pid);
    }
  }

  // ------------------------------------------------------------ small tools

  /** Asks for a pass over every unit (after an operator command, a load, a reload). */
  private schedule(): void {
    this.m.dirty.fill(1);
    this.requestPass();
  }

  /** Asks for a pass over `rec` and its neighbours (after a process event). */
  private scheduleAround(rec: ServiceRecord): void {
    this.markAround(rec.name);
    this.requestPass();
  }

  private requestPass(): void {
    if (this.m.passScheduled || this.m.walk !== null) return;
    this.m.passScheduled = true;
    this.out.push({ kind: "schedule-pass" });
  }

  /**
   * The next walk looks at `name` and at every unit whose step reads its record:
   * what depends on it and what it conflicts with, unless that unit is wanted down
   * (then its step reads only its own record and its dependents); what it depends
   * on only where `name` is what held that unit's stop back (its upHint; or
   * nothing is known),
   * since that is all a unit's step reads of its dependents. In a shutdown of 10
   * layers of 100 this spares ~100 looks per exit: each exit of a layer used to
   * make the whole layer below look again, though only the last one lets it go.
   */
  private markAround(name: string): void {
    const { position, dirty, neighbours, upHint, order, recAt } = this.m;
    const i = position.get(name);
    // A unit on a cycle is not walked, but its neighbours are.
    const around = i === undefined ? this.neighboursOf(name) : (neighbours[i] ??= this.neighboursOf(name));
    if (i !== undefined) dirty[i] = 1;
    const { readers, below } = around;
    for (let k = 0; k < readers.length; k++) {
      const j = readers[k]!;
      // A unit wanted down reads nothing of what it depends on or conflicts with.
      if (j >= 0 && recAt[j]?.desired !== "down") dirty[j] = 1;
    }
    for (let k = 0; k < below.length; k++) {
      const j = below[k]!;
      const h = upHint[j]!;
      // Its hint is a position among its dependents: the same position of its readers.
      if (h < 0 || i === undefined || (neighbours[j] ??= this.neighboursOf(order[j]!)).readers[h] === i) dirty[j] = 1;
    }
  }

  /** As indexes in `order`: what depends on `name` or conflicts with it, and what it depends on. */
  private neighboursOf(name: string): Neighbours {
    const { graph, position } = this.m;
    const readers: number[] = [];
    const below: number[] = [];
    for (const e of graph.dependentsOf(name)) readers.push(position.get(e.from) ?? -1);
    for (const n of graph.conflictsOf(name)) {
      const i = position.get(n);
      if (i !== undefined) readers.push(i);
    }
    for (const e of graph.dependenciesOf(name)) {
      const i = position.get(e.to);
      if (i !== undefined) below.push(i);
    }
    // A unit on its own (most of them in a flat set) shares one record instead of keeping two empty arrays.
    if (readers.length === 0 && below.length === 0) return NO_NEIGHBOURS;
    return { readers: indexArray(readers), below: indexArray(below) };
  }

  private arm(timer: TimerRef, ms: number): void {
    this.m.armed.add(timerKey(timer));
    this.out.push({ kind: "arm", timer, ms });
  }

  private cancel(timer: TimerRef): void {
    if (this.m.armed.delete(timerKey(timer))) this.out.push({ kind: "cancel", timer });
  }

  private setState(rec: ServiceRecord, to: ServiceState, reason: string): void {
    const from = rec.state;
    const event = transition(rec, to, reason, this.now);
    if (!event) return;
    this.markAround(rec.name);
    if (from !== to) for (const purpose of PER_STATE_TIMERS) if (!KEEPS[to].includes(purpose)) this.cancel({ name: rec.name, purpose });
    if (to !== "starting" && to !== "running" && rec.health !== null && (from === "starting" || from === "running")) {
      this.out.push({ kind: "cancel-probe", name: rec.name });
    }
    if (to === "running" && from !== "running" && rec.unit.kind === "service") rec.startedAt ??= this.now;
    this.out.push({ kind: "emit", event });
    if (to === "failed" && rec.unit.kind === "service" && rec.unit.config.service.critical && !this.m.shuttingDown) {
      this.out.push({ kind: "critical-failure", name: rec.name, status: criticalStatus(rec), reason });
    }
  }

  private get(name: string): ServiceRecord {
    const rec = this.m.records.get(name);
    if (!rec) throw new ZinitError("not_found", `unknown service "${name}"`);
    return rec;
  }

  private refuseWhileShuttingDown(): void {
    if (this.m.shuttingDown) throw new ZinitError("shutting_down", "zinit is shutting down");
  }

  private lookup = (n: string): ServiceRecord | undefined => this.m.records.get(n);

  /** Whether a dependent of `rec` is still up and going down too (see dependentStillUp). */
  private dependentsStillUp(rec: ServiceRecord): boolean {
    const m = this.m;
    const i = m.position.get(rec.name);
    if (i === undefined) return dependentStillUp(rec, m.graph, (_k, name) => this.lookup(name)) >= 0;
    const { readers } = (m.neighbours[i] ??= this.neighboursOf(rec.name));
    const found = dependentStillUp(rec, m.graph, (k, name) => {
      const j = readers[k]!;
      return j >= 0 ? m.recAt[j] : this.lookup(name);
    }, m.upHint[i]);
    m.upHint[i] = found;
    return found >= 0;
  }

  // ------------------------------------------------------------ loading

  private load(units: Unit[]): void {
    for (const unit of units) {
      this.m.records.set(unit.name, newRecord(unit, this.now));
      if (unit.kind === "service") this.out.push({ kind: "fit-ring", name: unit.name, lines: unit.config.logging.buffer_lines });
    }
    this.rebuildGraph();
    for (const rec of this.m.records.values()) {
      if (rec.cycle !== null) this.setState(rec, "failed", `dependency cycle: ${rec.cycle}`);
    }
    // status = "start" units come up with what they pull in; among two that
    // conflict, the first in start order wins and the other says why it stays down.
    const covered: Covered = { names: new Set(), index: null };
    for (const name of this.m.order) {
      const rec = this.m.records.get(name)!;
      if (startStatus(rec) !== "start" || rec.cycle !== null) continue;
      const rival = this.m.graph.conflictsOf(name).find((n) => this.m.records.get(n)?.desired === "up");
      if (rival !== undefined) {
        this.setState(rec, "inactive", `conflicts with ${rival}`);
        continue;
      }
      if (!covered.names.has(name)) this.markUp(rec, false, covered);
    }
    this.schedule();
  }

  private rebuildGraph(): void {
    const m = this.m;
    m.graph = buildGraph([...m.records.values()].map((r) => ({ name: r.name, kind: r.unit.kind, dependencies: r.unit.config.dependencies })));
    for (const rec of m.records.values()) rec.cycle = m.graph.cycleOf(rec.name) ?? null;
    m.order = m.graph.startLayers().flat();
    m.position = new Map(m.order.map((n, i) => [n, i]));
    m.dirty = new Uint8Array(m.order.length).fill(1);
    m.neighbours = [];
    m.recAt = m.order.map((n) => m.records.get(n));
    m.upHint = new Int32Array(m.order.length).fill(-1);
  }

  // ------------------------------------------------------------ operator commands

  private start(name: string): void {
    this.refuseWhileShuttingDown();
    const rec = this.get(name);
    if (startStatus(rec) === "ignore") throw new ZinitError("refused", `${name} is ignored (status = "ignore"): zinit never starts it`);
    if (rec.cycle !== null) throw new ZinitError("refused", `${name} cannot start: dependency cycle: ${rec.cycle}`);
    // An explicit start re-runs a finished oneshot and retries a failed service.
    if (rec.state === "exited" || rec.state === "failed") this.setState(rec, "inactive", "start requested");
    rec.consecutiveRestarts = 0;
    this.markUp(rec, true);
    this.schedule();
  }

  /** Wants `rec` up with everything it pulls in; stops what conflicts with any of them. */
  /**
   * `covered`, shared by the markUps of one load: names already marked with all
   * they pull in. Pull-in is transitive, so their part of the walk is done: with
   * 1,000 units in 10 layers each unit would otherwise walk every layer below it.
   */
  private markUp(rec: ServiceRecord, explicit = false, covered?: Covered): void {
    const names = covered === undefined ? [rec.name, ...this.m.graph.pullIn(rec.name)] : this.pullInOnce(rec.name, covered);
    for (const n of names) {
      const r = this.m.records.get(n);
      if (!r || startStatus(r) === "ignore" || r.cycle !== null) continue;
      if (r !== rec && r.state === "failed" && explicit) this.setState(r, "inactive", `pulled in by ${rec.name}`);
      r.desired = "up";
      if (r.stopCause === "user" || r.stopCause === "conflict") {
        // Wanted again before its stop finished: a stop already signalled completes
        // and comes back; one still waiting for its dependents is simply called off.
        if (r.state === "stopping") r.stopCause = "restart";
        else {
          r.stopCause = null;
          this.m.stopNotes.delete(n);
        }
      }
      for (const rival of this.m.graph.conflictsOf(n)) this.takeDown(rival, "conflict", `conflicts with ${n}`);
    }
  }

  /** `name` and what it pulls in, minus what is `covered` (and below it), in the graph's order like pullIn. */
  private pullInOnce(name: string, covered: Covered): string[] {
    const graph = this.m.graph;
    const found: string[] = [];
    const stack = [name];
    covered.names.add(name);
    while (stack.length > 0) {
      for (const e of graph.dependenciesOf(stack.pop()!)) {
        if (e.type === "after" || covered.names.has(e.to)) continue;
        covered.names.add(e.to);
        found.push(e.to);
        stack.push(e.to);
      }
    }
    if (found.length > 1) {
      const index = (covered.index ??= new Map(graph.names.map((n, i) => [n, i])));
      found.sort((a, b) => index.get(a)! - index.get(b)!);
    }
    return [name, ...found];
  }

  private stop(name: string): void {
    const rec = this.get(name);
    if (startStatus(rec) === "ignore") throw new ZinitError("refused", `${name} is ignored (status = "ignore"): zinit never stops it`);
    this.takeDown(name, "user", "stopped by user");
    this.schedule();
  }

  /** Wants `name` down, and with it every unit that requires it (transitively). */
  /**
   * Several roots share one walk, each unit visited once: shutdown and stop-all
   * take everything down, and a walk per root would cross the dependents of each
   * again (with 1,000 units and 90,000 edges, ~10^8 steps). A root keeps its own
   * note; a unit reached only through others names the first that reached it.
   */
  private takeDown(names: string | readonly string[], cause: StopCause, note: string): void {
    const roots = new Set(typeof names === "string" ? [names] : names);
    const queue: [string, StopCause, string][] = [...roots].reverse().map((n) => [n, cause, note]);
    const seen = new Set<string>();
    // Every unit a root (shutdown): no dependent is left to pull in, and looking
    // costs a pass over every edge (90,000 with 10 layers of 100).
    const expand = roots.size < this.m.records.size;
    while (queue.length > 0) {
      const [n, c, why] = queue.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const r = this.m.records.get(n);
      if (!r || startStatus(r) === "ignore") continue;
      if (r.desired === "down" && r.state !== "running" && r.state !== "starting") continue;
      r.desired = "down";
      this.m.stopNotes.set(n, why);
      // A stop wins over a restart under way: the process must not come back.
      if (r.pid !== null && (r.stopCause === null || r.stopCause === "restart" || r.stopCause === "reload")) r.stopCause = c;
      if (!expand) continue;
      for (const e of this.m.graph.dependentsOf(n)) {
        if (e.type !== "requires" || seen.has(e.from) || roots.has(e.from)) continue;
        if (c === "shutdown") queue.push([e.from, "shutdown", "shutdown"]);
        else queue.push([e.from, "user", `requires ${n} (stopped)`]);
      }
    }
  }

  private restart(name: string): void {
    this.refuseWhileShuttingDown();
    const rec = this.get(name);
    if (rec.state !== "running" && !(rec.state === "starting" && rec.pid !== null)) return this.start(name);
    rec.desired = "up";
    rec.stopCause = "restart";
    rec.consecutiveRestarts = 0;
    this.m.stopNotes.set(name, "restarting");
    this.schedule();
  }

  private kill(name: string, signal: string | number): void {
    const rec = this.get(name);
    const sig = normalizeSignal(signal);
    if (sig === undefined) throw new ZinitError("invalid_params", `unknown signal ${JSON.stringify(signal)}`);
    if (rec.pid === null) throw new ZinitError("refused", `${name} has no running process (state ${rec.state})`);
    this.out.push({ kind: "signal", pgid: rec.pid, signal: sig });
  }

  private startAll(): string[] {
    this.refuseWhileShuttingDown();
    const names: string[] = [];
    for (const rec of this.m.records.values()) {
      if (classOf(rec) !== "user" || startStatus(rec) === "ignore" || rec.cycle !== null) continue;
      if (rec.desired === "up" && rec.state !== "failed") continue;
      this.start(rec.name);
      names.push(rec.name);
    }
    return names;
  }

  private stopAll(): string[] {
    const names: string[] = [];
    for (const rec of this.m.records.values()) {
      if (classOf(rec) !== "user" || startStatus(rec) === "ignore") continue;
      if (rec.desired === "down" && rec.state === "inactive") continue;
      names.push(rec.name);
    }
    this.takeDown(names, "user", "stopped by user (stop-all)");
    this.schedule();
    return names;
  }

  /** Ordered shutdown of everything, system class included; `shutdown-done` once no process is left. */
  private shutdown(): void {
    this.m.shuttingDown = true;
    this.m.shutdownPending = true;
    for (const rec of this.m.records.values()) {
      this.cancel({ name: rec.name, purpose: "backoff" });
      this.cancel({ name: rec.name, purpose: "start-timeout" });
    }
    this.takeDown([...this.m.records.keys()], "shutdown", "shutdown");
    this.schedule();
  }

  // ------------------------------------------------------------ the pass

  private walk(): void {
    const m = this.m;
    const w = m.walk ?? { round: 0, index: 0 };
    m.walk = null;
    const { dirty } = m;
    for (; w.round < MAX_ROUNDS && dirty.includes(1); w.round++, w.index = 0) {
      // indexOf finds the next marked unit natively: a pass after one exit among
      // 1,000 units looks at a handful of them, not at 1,000 flags one by one.
      for (w.index = dirty.indexOf(1, w.index); w.index >= 0; w.index = dirty.indexOf(1, w.index + 1)) {
        dirty[w.index] = 0;
        const rec = m.records.get(m.order[w.index]!);
        if (!rec) continue;
        const { state, reason, stopCause, phase, desired, pid } = rec;
        if (rec.unit.kind === "target") this.stepTarget(rec);
        else this.stepService(rec);
        const changed =
          rec.state !== state || rec.reason !== reason || rec.stopCause !== stopCause || rec.phase !== phase || rec.desired !== desired || rec.pid !== pid;
        // Looked at again in the next round, like the units whose steps read it.
        if (changed) this.markAround(rec.name);
        if (rec.phase === "spawning") {
          // Suspended until the loop answers the spawn; the answer resumes here.
          m.walk = { round: w.round, index: w.index + 1 };
          return;
        }
      }
    }
    this.settleWaiters();
  }

  private stepService(rec: ServiceRecord): void {
    if (rec.cycle !== null || startStatus(rec) === "ignore") return;
    const notes = this.m.stopNotes;
    if (rec.pid !== null && rec.state !== "stopping") {
      if (rec.stopCause === null && rec.desired === "down") rec.stopCause = "user";
      const lost = rec.stopCause === null ? lostRequirement(rec, this.lookup) : null;
      if (lost !== null) {
        rec.stopCause = "dependency";
        notes.set(rec.name, `requires ${lost} (${this.lookup(lost)?.state ?? "unknown"})`);
      }
      if (rec.stopCause !== null && !this.dependentsStillUp(rec)) this.sendStop(rec);
      return;
    }
    if (rec.pid !== null) return; // stopping: the exit will ask for a pass
    // No process from here on.
    if (rec.desired === "down") {
      if (rec.state === "blocked" || (rec.state === "starting" && rec.phase === "backoff")) {
        this.setState(rec, "inactive", notes.get(rec.name) ?? "stopped");
      } else if ((rec.state === "exited" || rec.state === "failed") && !this.m.shuttingDown && notes.has(rec.name)) {
        // A user stop of a finished unit makes it inactive; a shutdown leaves the record of how it ended.
        this.setState(rec, "inactive", notes.get(rec.name)!);
        notes.delete(rec.name);
      }
      return;
    }
    if (rec.state === "starting" && rec.phase === "backoff") {
      const lost = lostRequirement(rec, this.lookup);
      if (lost !== null) this.setState(rec, "blocked", `requires ${lost} (${this.lookup(lost)?.state ?? "unknown"})`);
      return;
    }
    // A back-off that has run out leaves the unit starting with no process: it is
    // started like a blocked one, so a requirement lost meanwhile still holds it.
    const backoffOver = rec.state === "starting" && rec.phase === "idle";
    if (rec.state !== "inactive" && rec.state !== "blocked" && !backoffOver) return;
    const blockers = startBlockers(rec, this.m.graph, this.lookup);
    if (blockers.length > 0) return this.setState(rec, "blocked", blockers.join(", "));
    rec.phase = "spawning";
    this.out.push({ kind: "spawn", name: rec.name });
  }

  private stepTarget(rec: ServiceRecord): void {
    if (rec.cycle !== null || startStatus(rec) === "ignore") return;
    if (rec.desired === "down") {
      if (rec.state === "running" && this.dependentsStillUp(rec)) return;
      if (rec.state !== "inactive") this.setState(rec, "inactive", this.m.stopNotes.get(rec.name) ?? "stopped");
      return;
    }
    const blockers = startBlockers(rec, this.m.graph, this.lookup);
    if (blockers.length > 0) this.setState(rec, "blocked", blockers.join(", "));
    else this.setState(rec, "running", "all requirements running");
  }

  /** Resolves what waits on the pass: reloads whose removed units are down, a finished shutdown. */
  private settleWaiters(): void {
    const m = this.m;
    for (let i = 0; i < m.reloads.length; ) {
      const r = m.reloads[i]!;
      if (!this.allDown(r.plan.removed)) {
        i++;
        continue;
      }
      m.reloads.splice(i, 1);
      this.finishReload(r.plan, r.token);
    }
    if (m.shuttingDown && m.shutdownPending && noProcessLeft(m.records)) {
      m.shutdownPending = false;
      this.out.push({ kind: "shutdown-done" });
    }
  }

  private allDown(names: readonly string[]): boolean {
    return names.every((n) => {
      const r = this.m.records.get(n);
      return !r || (r.pid === null && r.state !== "stopping");
    });
  }

  // ------------------------------------------------------------ processes

  private spawned(name: string, pid: number, cgroup: boolean, unenforced: string[]): void {
    const rec = this.m.records.get(name);
    if (rec && rec.phase === "spawning" && rec.unit.kind === "service") {
      const config = rec.unit.config;
      rec.pid = pid;
      rec.cgroup = cgroup;
      rec.oomKilled = false;
      rec.limitsNote = limitsNote(config.resources, cgroup, unenforced);
      rec.phase = "spawned";
      rec.startedAt = this.now;
      rec.stopCause = null;
      this.m.stopNotes.delete(name);
      rec.awaitingReady = config.service.ready_fd !== null && !config.service.oneshot;
      if (config.service.oneshot) {
        this.setState(rec, "starting", this.noted(rec, `running (pid ${pid})`));
        this.armStartTimeout(rec, config.lifecycle.start_timeout_ms);
      } else if (config.health !== null || rec.awaitingReady) {
        if (config.health !== null) rec.health = { status: "unknown", checkedAt: null, error: null, consecutiveFailures: 0 };
        this.setState(rec, "starting", this.noted(rec, `waiting for ${this.upConditions(rec)} (pid ${pid})`));
        this.armStartTimeout(rec, config.lifecycle.start_timeout_ms);
        if (config.health !== null) this.out.push({ kind: "probe", name, delayMs: 0 });
      } else {
        this.setState(rec, "running", this.noted(rec, `started (pid ${pid})`));
      }
      this.markAround(name);
    }
    this.walk();
  }

  /**
   * A missing program fails at once: retrying cannot help. A start that failed on
   * something that may be fixed meanwhile (an env file) goes through the restart
   * policy and its back-off, as a process that failed at once would.
   */
  private spawnFailed(name: string, message: string, retry: boolean): void {
    const rec = this.m.records.get(name);
    if (rec && rec.phase === "spawning") {
      rec.pid = null;
      rec.phase = "idle";
      if (retry) this.judgeExit(rec, { ...exitOf(null, null), startError: message }, 0, false);
      else this.setState(rec, "failed", message);
      this.markAround(name);
    }
    this.walk();
  }

  private armStartTimeout(rec: ServiceRecord, ms: number): void {
    this.cancel({ name: rec.name, purpose: "start-timeout" });
    this.arm({ name: rec.name, purpose: "start-timeout" }, ms);
  }

  private sendStop(rec: ServiceRecord): void {
    if (rec.pid === null || rec.unit.kind !== "service") return;
    const lifecycle = rec.unit.config.lifecycle;
    this.setState(rec, "stopping", this.m.stopNotes.get(rec.name) ?? STOP_WORDS[rec.stopCause ?? "user"]);
    rec.phase = "signalled";
    this.signalAll(rec, lifecycle.stop_signal);
    this.arm({ name: rec.name, purpose: "stop-kill" }, lifecycle.stop_timeout_ms);
  }

  /** The stop signal to the process group and, with a cgroup, to whatever left the group. */
  private signalAll(rec: ServiceRecord, signal: string): void {
    if (rec.pid === null) return;
    if (rec.cgroup) this.out.push({ kind: "signal-cgroup", name: rec.name, pgid: rec.pid, signal });
    else this.out.push({ kind: "signal", pgid: rec.pid, signal });
  }

  /** A start reason with what [resources] could not enforce, if anything. */
  private noted(rec: ServiceRecord, reason: string): string {
    return rec.limitsNote === null ? reason : `${reason}; limits not enforced: ${rec.limitsNote}`;
  }

  /**
   * The group leader is gone. While stopping, the stop is over only when the whole
   * group is; otherwise leftovers of a crashed service are sent the stop signal
   * (and SIGKILL later) so that a restart never runs next to its own debris.
   */
  private leaderExited(name: string, pid: number, exit: ExitStatus, groupAlive: boolean): void {
    const rec = this.m.records.get(name);
    if (!rec || rec.pid !== pid) return;
    if (rec.oomKilled) exit.oom = oomLimit(rec);
    if (rec.state === "stopping") {
      if (groupAlive) {
        rec.pendingExit = exit;
        if (rec.phase !== "killed") rec.phase = "draining";
        this.out.push(rec.cgroup ? { kind: "watch-cgroup", name } : { kind: "watch-group", name, pgid: pid });
        return;
      }
      return this.afterExit(rec, exit);
    }
    if (groupAlive && rec.cgroup && rec.unit.kind === "service") {
      // The rest of its cgroup goes first: `stopping` until it is empty, and only
      // then does the restart policy judge the exit, so a new run never shares
      // the cgroup with the debris of the old one.
      const lifecycle = rec.unit.config.lifecycle;
      rec.pendingExit = exit;
      this.setState(rec, "stopping", `${describeExit(exit)}; stopping the rest of its cgroup`);
      rec.phase = "draining";
      this.signalAll(rec, lifecycle.stop_signal);
      this.arm({ name, purpose: "stop-kill" }, lifecycle.stop_timeout_ms);
      this.out.push({ kind: "watch-cgroup", name });
      // Its dependents have lost it already: they go down while it drains.
      this.scheduleAround(rec);
      return;
    }
    if (groupAlive && rec.unit.kind === "service") {
      const lifecycle = rec.unit.config.lifecycle;
      this.out.push({ kind: "signal", pgid: pid, signal: lifecycle.stop_signal });
      this.arm({ name, purpose: "leftover-kill", pgid: pid }, lifecycle.stop_timeout_ms);
      this.out.push({ kind: "watch-group", name, pgid: pid });
    }
    this.afterExit(rec, exit);
  }

  private groupGone(name: string, pgid: number): void {
    this.cancel({ name, purpose: "leftover-kill", pgid });
    const rec = this.m.records.get(name);
    // A process in a cgroup ends with its cgroup, not with its group.
    if (!rec || rec.pid !== pgid || rec.pendingExit === null || rec.cgroup) return;
    const exit = rec.pendingExit;
    rec.pendingExit = null;
    this.afterExit(rec, exit);
  }

  /** The last process of the unit's cgroup is gone: a stop (or the end of a crashed run) is over. */
  private cgroupEmpty(name: string): void {
    const rec = this.m.records.get(name);
    if (!rec || !rec.cgroup || rec.pendingExit === null) return;
    const exit = rec.pendingExit;
    rec.pendingExit = null;
    this.afterExit(rec, exit);
  }

  private oomKilled(name: string, pid: number): void {
    const rec = this.m.records.get(name);
    if (rec && rec.pid === pid) rec.oomKilled = true;
  }

  private afterExit(rec: ServiceRecord, exit: ExitStatus): void {
    const notes = this.m.stopNotes;
    const cause = rec.stopCause;
    const ranForMs = rec.startedAt === null ? 0 : this.now - rec.startedAt;
    exit.timedOut = cause === "timeout";
    exit.forced = rec.phase === "killed";
    if (cause === "unhealthy") exit.unhealthy = notes.get(rec.name) ?? "health check failed";
    rec.lastExit = exit;
    rec.pid = null;
    rec.phase = "idle";
    rec.startedAt = null;
    rec.stopCause = null;
    rec.pendingExit = null;
    rec.awaitingReady = false;
    rec.cgroup = false;
    rec.oomKilled = false;
    rec.limitsNote = null;
    const note = notes.get(rec.name);
    switch (cause) {
      case "user":
      case "conflict":
      case "shutdown":
        this.setState(rec, "inactive", note ?? STOP_WORDS[cause]);
        notes.delete(rec.name);
        break;
      case "restart":
      case "reload":
        this.setState(rec, "inactive", note ?? STOP_WORDS[cause]);
        notes.delete(rec.name);
        if (rec.desired === "down") rec.desired = "up";
        break;
      case "dependency":
        this.setState(rec, "blocked", note ?? STOP_WORDS[cause]);
        notes.delete(rec.name);
        break;
      default:
        this.judgeExit(rec, exit, ranForMs);
    }
    this.scheduleAround(rec);
  }

  /** A process ended on its own (or by timeout or failed health): the restart policy decides. */
  /**
   * `atOnce`: with no back-off delay, start again from the next pass instead of
   * through a timer; not after a failed spawn, which would otherwise be retried
   * within the same walk.
   */
  private judgeExit(rec: ServiceRecord, exit: ExitStatus, ranForMs: number, atOnce = true): void {
    if (rec.unit.kind !== "service") return;
    const config = rec.unit.config;
    const decision = decideOnExit(exit, {
      oneshot: config.service.oneshot,
      lifecycle: config.lifecycle,
      consecutiveRestarts: rec.consecutiveRestarts,
      ranForMs,
    });
    this.m.stopNotes.delete(rec.name);
    if (decision.action !== "restart" || rec.desired === "down" || this.m.shuttingDown) {
      if (decision.action === "restart") this.setState(rec, "inactive", `${decision.reason.split(";")[0]}`);
      else this.setState(rec, decision.action, decision.reason);
      return;
    }
    rec.consecutiveRestarts = decision.attempt;
    rec.totalRestarts++;
    const now = atOnce && decision.delayMs <= 0;
    rec.phase = now ? "idle" : "backoff";
    this.setState(rec, "starting", decision.reason);
    if (now) this.scheduleAround(rec);
    else this.arm({ name: rec.name, purpose: "backoff" }, decision.delayMs);
  }

  // ------------------------------------------------------------ timers and probes

  private timerFired(t: TimerRef): void {
    if (!this.m.armed.delete(timerKey(t))) return; // cancelled meanwhile
    const rec = this.m.records.get(t.name);
    switch (t.purpose) {
      case "backoff":
        if (!rec || rec.state !== "starting" || rec.phase !== "backoff") return;
        rec.phase = "idle";
        return this.scheduleAround(rec);
      case "start-timeout": {
        if (!rec || rec.state !== "starting" || rec.pid === null || rec.unit.kind !== "service") return;
        rec.stopCause = "timeout";
        this.m.stopNotes.set(rec.name, `start timeout after ${rec.unit.config.lifecycle.start_timeout_ms} ms`);
        return this.sendStop(rec);
      }
      case "stop-kill":
        if (!rec || rec.pid === null) return;
        rec.phase = "killed";
        if (rec.cgroup) this.out.push({ kind: "kill-cgroup", name: rec.name, pgid: rec.pid });
        else this.out.push({ kind: "signal", pgid: rec.pid, signal: "SIGKILL" });
        return;
      case "leftover-kill":
        if (t.pgid !== undefined) this.out.push({ kind: "signal", pgid: t.pgid, signal: "SIGKILL" });
        return;
    }
  }

  /**
   * A probe answered. Probes never overlap: the next is asked for only now. A verdict
   * about a process that changed, or is going down, meanwhile is dropped. Failures
   * while starting do not count (start_timeout_ms bounds that phase); `retries`
   * failures in a row while running make the service unhealthy: a failure.
   */
  private probeResult(name: string, pid: number, ok: boolean, error: string | null): void {
    const rec = this.m.records.get(name);
    if (!rec || rec.unit.kind !== "service" || rec.pid !== pid || !isProbed(rec) || rec.health === null) return;
    const health = rec.unit.config.health;
    if (health === null) return;
    const h = rec.health;
    h.checkedAt = this.now;
    h.error = error;
    h.status = ok ? "passing" : "failing";
    if (ok) {
      h.consecutiveFailures = 0;
      if (rec.state === "starting") {
        if (rec.awaitingReady) this.setState(rec, "starting", `healthy; waiting for ${this.upConditions(rec)} (pid ${rec.pid})`);
        else this.setState(rec, "running", this.noted(rec, `healthy (pid ${rec.pid})`));
        this.scheduleAround(rec);
      }
      this.out.push({ kind: "probe", name, delayMs: health.interval_ms });
      return;
    }
    if (rec.state === "starting") {
      this.out.push({ kind: "probe", name, delayMs: Math.min(health.interval_ms, STARTING_PROBE_MAX_MS) });
      return;
    }
    h.consecutiveFailures++;
    if (h.consecutiveFailures >= health.retries) {
      rec.stopCause = "unhealthy";
      this.m.stopNotes.set(name, `health check failed ${h.consecutiveFailures} times: ${error}`);
      this.scheduleAround(rec);
      return;
    }
    this.out.push({ kind: "probe", name, delayMs: health.interval_ms });
  }

  /**
   * The readiness line came. Running needs it and, with a [health] section, a
   * passing probe too, whichever comes last.
   */
  private ready(name: string, pid: number): void {
    const rec = this.m.records.get(name);
    if (!rec || rec.pid !== pid || !rec.awaitingReady) return;
    rec.awaitingReady = false;
    if (rec.state !== "starting" || rec.stopCause !== null) return;
    if (rec.health !== null && rec.health.status !== "passing") {
      this.setState(rec, "starting", `ready; waiting for ${this.upConditions(rec)} (pid ${pid})`);
      return;
    }
    this.setState(rec, "running", this.noted(rec, `ready (pid ${pid})`));
    this.scheduleAround(rec);
  }

  /** What a starting service still waits for, in words. */
  private upConditions(rec: ServiceRecord): string {
    if (rec.unit.kind !== "service") return "its requirements";
    const waits: string[] = [];
    if (rec.awaitingReady) waits.push(`readiness on fd ${rec.unit.config.service.ready_fd}`);
    if (rec.unit.config.health !== null && rec.health?.status !== "passing") waits.push("health check");
    return waits.join(" and ");
  }

  // ------------------------------------------------------------ reload

  /**
   * Applies a reload plan: removed units are stopped (dependents first) and
   * unloaded, changed ones take their new definition — restarted when what the
   * process is changed, in place otherwise — and added ones join and start.
   */
  private reload(plan: ReloadPlan, token: number): void {
    if (plan.refused) {
      this.out.push({
        kind: "reload-done",
        token,
        result: { added: [], removed: [], changed: [], unchanged: [...this.m.records.keys()].sort(), errors: plan.errors },
      });
      return;
    }
    this.refuseWhileShuttingDown();
    // Only the removed unit is wanted down: its dependents lose a requirement, stop
    // first (they are up while it is) and wait blocked, naming it, until a reload
    // brings it back.
    for (const name of plan.removed) {
      const rec = this.m.records.get(name);
      if (!rec) continue;
      rec.desired = "down";
      this.m.stopNotes.set(name, "removed from the configuration");
      if (rec.pid !== null && (rec.stopCause === null || rec.stopCause === "restart" || rec.stopCause === "reload")) rec.stopCause = "user";
    }
    if (this.allDown(plan.removed)) return this.finishReload(plan, token);
    this.m.reloads.push({ plan, token });
    this.schedule();
  }

  private finishReload(plan: ReloadPlan, token: number): void {
    const m = this.m;
    for (const name of plan.removed) this.unload(name);
    const restarted: string[] = [];
    const startNow: ServiceRecord[] = [];
    for (const { unit, restart } of plan.changed) {
      const rec = m.records.get(unit.name);
      if (!rec) continue;
      const oldStatus = startStatus(rec);
      const oldHealth = rec.unit.kind === "service" ? rec.unit.config.health : null;
      const oldResources = rec.unit.kind === "service" ? rec.unit.config.resources : null;
      rec.unit = unit;
      if (unit.kind === "service") this.out.push({ kind: "fit-ring", name: unit.name, lines: unit.config.logging.buffer_lines });
      if (!restart) this.healthChangedInPlace(rec, oldHealth);
      if (!restart) this.resourcesChangedInPlace(rec, oldResources);
      if (restart && rec.pid !== null && rec.stopCause === null) {
        rec.stopCause = "reload";
        m.stopNotes.set(rec.name, "definition changed: restarting");
        restarted.push(rec.name);
      }
      const status = startStatus(rec);
      if (status === "stop" && oldStatus !== "stop") this.takeDown(rec.name, "user", "status changed to stop");
      if (status === "start" && oldStatus !== "start") startNow.push(rec);
    }
    for (const unit of plan.added) {
      const rec = newRecord(unit, this.now);
      m.records.set(unit.name, rec);
      if (unit.kind === "service") this.out.push({ kind: "fit-ring", name: unit.name, lines: unit.config.logging.buffer_lines });
      if (startStatus(rec) === "start") startNow.push(rec);
    }
    this.rebuildGraph();
    for (const rec of m.records.values()) {
      if (rec.cycle !== null) this.setState(rec, "failed", `dependency cycle: ${rec.cycle}`);
      else if (rec.state === "failed" && rec.reason.startsWith("dependency cycle")) {
        // The cycle was broken by this reload: the unit is free to come up again.
        this.setState(rec, "inactive", "dependency cycle resolved");
        if (startStatus(rec) === "start") startNow.push(rec);
      }
    }
    for (const rec of startNow) if (rec.cycle === null) this.markUp(rec);
    // A unit still up gets any new conflict enforced, as if it had just started.
    for (const rec of m.records.values()) {
      if (rec.desired === "up") for (const rival of m.graph.conflictsOf(rec.name)) this.takeDown(rival, "conflict", `conflicts with ${rec.name}`);
    }
    this.schedule();
    const result: ReloadResult = {
      added: plan.added.map((u) => u.name).sort(),
      removed: [...plan.removed].sort(),
      changed: plan.changed.map((c) => ({ name: c.unit.name, restarted: restarted.includes(c.unit.name) })),
      unchanged: [...plan.unchanged].sort(),
      errors: plan.errors,
    };
    this.out.push({ kind: "reload-done", token, result });
  }

  /** A reload changed the health check of a live process without restarting it. */
  private healthChangedInPlace(rec: ServiceRecord, before: unknown): void {
    if (rec.unit.kind !== "service") return;
    const after = rec.unit.config.health;
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    this.out.push({ kind: "cancel-probe", name: rec.name });
    if (after === null) {
      rec.health = null;
      // Without a health check a service runs as soon as it is spawned.
      if (isProbed(rec) && rec.state === "starting" && !isOneshot(rec) && !rec.awaitingReady) {
        this.setState(rec, "running", `health check removed (pid ${rec.pid})`);
      }
      return;
    }
    rec.health ??= { status: "unknown", checkedAt: null, error: null, consecutiveFailures: 0 };
    rec.health.consecutiveFailures = 0;
    if (isProbed(rec)) this.out.push({ kind: "probe", name: rec.name, delayMs: 0 });
  }

  /** New limits reach a live process in a cgroup at once: the cgroup's files are rewritten, nothing restarts. */
  private resourcesChangedInPlace(rec: ServiceRecord, before: unknown): void {
    if (rec.unit.kind !== "service" || rec.pid === null || !rec.cgroup) return;
    if (JSON.stringify(before) === JSON.stringify(rec.unit.config.resources)) return;
    this.out.push({ kind: "apply-limits", name: rec.name });
  }

  private unload(name: string): void {
    for (const purpose of PER_STATE_TIMERS) this.cancel({ name, purpose });
    this.out.push({ kind: "cancel-probe", name });
    this.m.records.delete(name);
    const at = this.m.position.get(name);
    if (at !== undefined) this.m.recAt[at] = undefined;
    this.m.stopNotes.delete(name);
    this.out.push({ kind: "forget", name });
  }
}

/**
 * What zinit exits with when a critical unit failed: the exit code of its last
 * process, 128+N when signal N killed it, 1 when it never ran (spawn failure,
 * dependency cycle).
 */
export function criticalStatus(rec: ServiceRecord): number {
  const exit = rec.lastExit;
  if (exit === null || rec.phase !== "idle" || rec.reason.startsWith("spawn failed") || rec.cycle !== null) return 1;
  if (exit.signal !== null) return 128 + signalNumber(exit.signal);
  return exit.code === null || exit.code === 0 ? 1 : exit.code;
}

/** Names marked up with all they pull in, and (made on first need) each name's index in the graph, for sorting. */
interface Covered {
  names: Set<string>;
  index: Map<string, number> | null;
}

function noProcessLeft(records: Map<string, ServiceRecord>): boolean {
  for (const r of records.values()) if (r.pid !== null) return false;
  return true;
}

/** A live process that is not being taken down: its probes count. */
function isProbed(rec: ServiceRecord): boolean {
  return rec.pid !== null && rec.stopCause === null && (rec.state === "starting" || rec.state === "running");
}

/**
 * What a started process runs without: every limit when there is no cgroup, else
 * the keys the loop could not write. Null when nothing is missing (or nothing asked).
 */
function limitsNote(resources: Resources | null, cgroup: boolean, unenforced: string[]): string | null {
  if (!hasLimits(resources)) return null;
  if (!cgroup) return "no writable cgroup v2";
  return unenforced.length === 0 ? null : unenforced.join(", ");
}

/** The limit an OOM kill is blamed on, as written in the reason: "memory_max 256M". */
function oomLimit(rec: ServiceRecord): string {
  const max = rec.unit.kind === "service" ? rec.unit.config.resources?.memory_max : null;
  return max == null ? "" : `memory_max ${formatBytes(max)}`;
}

function classOf(rec: ServiceRecord): "user" | "system" {
  return rec.unit.kind === "service" ? rec.unit.config.service.class : rec.unit.config.target.class;
}
