/**
 * The supervisor: owns the service records, their processes, rings and timers, and
 * drives them toward what was asked (desired up/down) by a level-triggered
 * reconcile pass.
 *
 * Model. Commands (start, stop, …) and process events (exit, timer) only record
 * facts — desired state, a stop cause, an exit — and schedule a pass. A pass walks
 * the units in start order (dependencies first) and, for each, takes the one step
 * its dependencies allow: stop it if it lost a requirement or is wanted down and
 * its dependents are gone, start it if everything it waits for has settled. A
 * pass never waits; an exit or timer schedules the next. Passes coalesce per
 * macrotask, so 1,000 exits at once cost one pass, not 1,000 re-entrant calls.
 *
 * Every state write goes through `setState`, which calls the pure `transition`,
 * releases timers the new state does not keep and emits the event.
 */
import type { ServiceConfig, Unit } from "../sdk/config/types.ts";
import { buildGraph } from "../sdk/graph/index.ts";
import type { Graph } from "../sdk/graph/types.ts";
import { ZinitError } from "../sdk/errors.ts";
import type { ServiceState } from "../sdk/states.ts";
import type { LogLine, StateEvent } from "../sdk/protocol/types.ts";
import { normalizeSignal } from "../sdk/config/signals.ts";
import { transition } from "./engine/transition.ts";
import { newRecord, startStatus, type ServiceRecord, type StopCause } from "./engine/model.ts";
import { dependentsStillUp, lostRequirement, startBlockers } from "./engine/readiness.ts";
import { decideOnExit } from "./engine/restart.ts";
import { exitOf, type ExitStatus } from "./engine/exit.ts";
import { LogRing } from "./engine/log-ring.ts";
import type { ReloadPlan } from "./engine/reload.ts";
import type { ReloadResult } from "../sdk/protocol/types.ts";
import { groupAlive, signalGroup, spawnService, type ServiceProcess, type Spawner } from "./effects/process.ts";
import { forwardLine } from "./effects/output.ts";
import type { ProbeSpawner } from "./effects/health.ts";
import { HealthMonitor } from "./health-monitor.ts";

export interface SupervisorOptions {
  spawner?: Spawner;
  /** how exec health probes are spawned (through the reaper in the server) */
  probeSpawner?: ProbeSpawner;
  /** copy service output to our stdout (each service can still say forward = false) */
  forward?: boolean;
  now?: () => number;
  /** a bug caught in a listener or a pass: logged, never fatal */
  onError?: (err: unknown) => void;
}

type StateListener = (event: StateEvent) => void;
type LogListener = (line: LogLine) => void;

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

const GROUP_POLL_MS = 20;

export class Supervisor {
  readonly records = new Map<string, ServiceRecord>();
  graph: Graph;
  private order: string[] = [];
  private procs = new Map<string, ServiceProcess>();
  private rings = new Map<string, LogRing>();
  private stopNotes = new Map<string, string>();
  private backoffTimers = new Map<string, Timer>();
  private startTimers = new Map<string, Timer>();
  private killTimers = new Map<string, Timer>();
  private stateListeners = new Set<StateListener>();
  private logListeners = new Set<LogListener>();
  private scheduled = false;
  private shuttingDown = false;
  private shutdownWaiters: (() => void)[] = [];
  private downWaiters: { names: string[]; resolve: () => void }[] = [];
  private readonly now: () => number;
  private readonly spawner: Spawner | undefined;
  private readonly health: HealthMonitor;
  private readonly forward: boolean;
  private readonly onError: (err: unknown) => void;

  constructor(units: Unit[], opts: SupervisorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.spawner = opts.spawner;
    this.health = new HealthMonitor(
      {
        now: this.now,
        healthy: (rec) => {
          this.setState(rec, "running", `healthy (pid ${rec.pid})`);
          this.schedule();
        },
        unhealthy: (rec, why) => {
          rec.stopCause = "unhealthy";
          this.stopNotes.set(rec.name, why);
          this.schedule();
        },
      },
      opts.probeSpawner ?? ((argv, o) => Bun.spawn(argv, o)),
    );
    this.forward = opts.forward ?? true;
    this.onError = opts.onError ?? ((err) => console.error(err));
    this.graph = buildGraph([]);
    this.load(units);
  }

  // ---------------------------------------------------------------- loading

  private load(units: Unit[]): void {
    const now = this.now();
    for (const unit of units) {
      const rec = newRecord(unit, now);
      this.records.set(unit.name, rec);
      if (unit.kind === "service") this.rings.set(unit.name, new LogRing(unit.config.logging.buffer_lines));
    }
    this.rebuildGraph();
    for (const rec of this.records.values()) {
      if (rec.cycle !== null) this.setState(rec, "failed", `dependency cycle: ${rec.cycle}`);
    }
    // status = "start" units come up with what they pull in; among two that
    // conflict, the first in start order wins and the other says why it stays down.
    for (const name of this.order) {
      const rec = this.records.get(name)!;
      if (startStatus(rec) !== "start" || rec.cycle !== null) continue;
      const rival = this.graph.conflictsOf(name).find((n) => this.records.get(n)?.desired === "up");
      if (rival !== undefined) {
        this.setState(rec, "inactive", `conflicts with ${rival}`);
        continue;
      }
      this.markUp(rec);
    }
    this.schedule();
  }

  private rebuildGraph(): void {
    this.graph = buildGraph(
      [...this.records.values()].map((r) => ({ name: r.name, kind: r.unit.kind, dependencies: r.unit.config.dependencies })),
    );
    for (const rec of this.records.values()) rec.cycle = this.graph.cycleOf(rec.name) ?? null;
    this.order = this.graph.startLayers().flat();
  }

  // ---------------------------------------------------------------- events out

  onState(fn: StateListener): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  onLog(fn: LogListener): () => void {
    this.logListeners.add(fn);
    return () => this.logListeners.delete(fn);
  }

  private setState(rec: ServiceRecord, to: ServiceState, reason: string): void {
    const from = rec.state;
    const event = transition(rec, to, reason, this.now());
    if (!event) return;
    if (from === "starting" && to !== "starting") {
      this.clearTimer(this.backoffTimers, rec.name);
      this.clearTimer(this.startTimers, rec.name);
    }
    if (from === "stopping" && to !== "stopping") this.clearTimer(this.killTimers, rec.name);
    if (to !== "starting" && to !== "running") this.health.end(rec.name);
    if (to === "running" && from !== "running" && rec.unit.kind === "service") rec.startedAt ??= this.now();
    for (const fn of this.stateListeners) {
      try {
        fn(event);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  private clearTimer(map: Map<string, Timer>, name: string): void {
    const t = map.get(name);
    if (t !== undefined) {
      clearTimeout(t);
      map.delete(name);
    }
  }

  // ---------------------------------------------------------------- commands

  private get(name: string): ServiceRecord {
    const rec = this.records.get(name);
    if (!rec) throw new ZinitError("not_found", `unknown service "${name}"`);
    return rec;
  }

  private refuseWhileShuttingDown(): void {
    if (this.shuttingDown) throw new ZinitError("shutting_down", "zinit is shutting down");
  }

  start(name: string): void {
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
  private markUp(rec: ServiceRecord, explicit = false): void {
    const names = [rec.name, ...this.graph.pullIn(rec.name)];
    for (const n of names) {
      const r = this.records.get(n);
      if (!r || startStatus(r) === "ignore" || r.cycle !== null) continue;
      if (r !== rec && r.state === "failed" && explicit) this.setState(r, "inactive", `pulled in by ${rec.name}`);
      r.desired = "up";
      if (r.stopCause === "user" || r.stopCause === "conflict") {
        // Wanted again before its stop finished: a stop already signalled completes
        // and comes back; one still waiting for its dependents is simply called off.
        if (r.state === "stopping") r.stopCause = "restart";
        else {
          r.stopCause = null;
          this.stopNotes.delete(n);
        }
      }
      for (const rival of this.graph.conflictsOf(n)) this.takeDown(rival, "conflict", `conflicts with ${n}`);
    }
  }

  stop(name: string): void {
    const rec = this.get(name);
    if (startStatus(rec) === "ignore") throw new ZinitError("refused", `${name} is ignored (status = "ignore"): zinit never stops it`);
    this.takeDown(name, "user", "stopped by user");
    this.schedule();
  }

  /** Wants `name` down, and with it every unit that requires it (transitively). */
  private takeDown(name: string, cause: StopCause, note: string): void {
    const queue: [string, StopCause, string][] = [[name, cause, note]];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const [n, c, why] = queue.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const r = this.records.get(n);
      if (!r || startStatus(r) === "ignore") continue;
      if (r.desired === "down" && r.state !== "running" && r.state !== "starting") continue;
      r.desired = "down";
      this.stopNotes.set(n, why);
      if ((r.stopCause === null || r.stopCause === "restart") && r.pid !== null) r.stopCause = c;
      for (const e of this.graph.dependentsOf(n)) {
        if (e.type !== "requires") continue;
        if (c === "shutdown") queue.push([e.from, "shutdown", "shutdown"]);
        else queue.push([e.from, "user", `requires ${n} (stopped)`]);
      }
    }
  }

  restart(name: string): void {
    this.refuseWhileShuttingDown();
    const rec = this.get(name);
    if (rec.state !== "running" && !(rec.state === "starting" && rec.pid !== null)) {
      this.start(name);
      return;
    }
    rec.desired = "up";
    rec.stopCause = "restart";
    rec.consecutiveRestarts = 0;
    this.stopNotes.set(name, "restarting");
    this.schedule();
  }

  kill(name: string, signal: string | number = "SIGTERM"): void {
    const rec = this.get(name);
    const sig = normalizeSignal(signal);
    if (sig === undefined) throw new ZinitError("invalid_params", `unknown signal ${JSON.stringify(signal)}`);
    if (rec.pid === null) throw new ZinitError("refused", `${name} has no running process (state ${rec.state})`);
    signalGroup(rec.pid, sig);
  }

  startAll(): string[] {
    this.refuseWhileShuttingDown();
    const names: string[] = [];
    for (const rec of this.records.values()) {
      if (classOf(rec) !== "user" || startStatus(rec) === "ignore" || rec.cycle !== null) continue;
      if (rec.desired === "up" && rec.state !== "failed") continue;
      this.start(rec.name);
      names.push(rec.name);
    }
    return names;
  }

  stopAll(): string[] {
    const names: string[] = [];
    for (const rec of this.records.values()) {
      if (classOf(rec) !== "user" || startStatus(rec) === "ignore") continue;
      if (rec.desired === "down" && rec.state === "inactive") continue;
      this.takeDown(rec.name, "user", "stopped by user (stop-all)");
      names.push(rec.name);
    }
    this.schedule();
    return names;
  }

  /** Ordered shutdown of everything, system class included; resolves when no process is left. */
  shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const rec of this.records.values()) {
      for (const map of [this.backoffTimers, this.startTimers]) this.clearTimer(map, rec.name);
      this.takeDown(rec.name, "shutdown", "shutdown");
    }
    const done = new Promise<void>((resolve) => this.shutdownWaiters.push(resolve));
    this.schedule();
    return done;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  // ---------------------------------------------------------------- queries

  logs(name: string | undefined, lines: number): LogLine[] {
    if (name !== undefined) {
      this.get(name);
      const ring = this.rings.get(name);
      return ring ? ring.tail(lines).map((l) => toLogLine(name, l)) : [];
    }
    const all: LogLine[] = [];
    for (const [n, ring] of this.rings) for (const l of ring.tail()) all.push(toLogLine(n, l));
    all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return all.slice(Math.max(0, all.length - lines));
  }

  lookup(name: string): ServiceRecord | undefined {
    return this.records.get(name);
  }

  // ---------------------------------------------------------------- the pass

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.reconcile();
      } catch (err) {
        this.onError(err);
      }
    });
  }

  private reconcile(): void {
    const lookup = (n: string) => this.records.get(n);
    // Each round is one walk in start order; a later unit's change can matter to an
    // earlier one (a dependent gone lets its dependency stop), so walk until stable.
    for (let round = 0; round < 64; round++) {
      let changed = false;
      for (const name of this.order) {
        const rec = this.records.get(name);
        if (rec && this.step(rec, lookup)) changed = true;
      }
      if (!changed) break;
    }
    this.checkDownWaiters();
    this.checkShutdownDone();
  }

  /** One step for one unit; true when it changed something. */
  private step(rec: ServiceRecord, lookup: (n: string) => ServiceRecord | undefined): boolean {
    const before = `${rec.state}|${rec.reason}|${rec.stopCause}|${rec.phase}`;
    if (rec.unit.kind === "target") this.stepTarget(rec, lookup);
    else this.stepService(rec, lookup);
    return before !== `${rec.state}|${rec.reason}|${rec.stopCause}|${rec.phase}`;
  }

  private stepService(rec: ServiceRecord, lookup: (n: string) => ServiceRecord | undefined): void {
    if (rec.cycle !== null || startStatus(rec) === "ignore") return;
    const hasProcess = rec.pid !== null;
    if (hasProcess && rec.state !== "stopping") {
      if (rec.stopCause === null && rec.desired === "down") rec.stopCause = "user";
      const lost = rec.stopCause === null ? lostRequirement(rec, lookup) : null;
      if (lost !== null) {
        rec.stopCause = "dependency";
        this.stopNotes.set(rec.name, `requires ${lost} (${lookup(lost)?.state ?? "unknown"})`);
      }
      if (rec.stopCause !== null && dependentsStillUp(rec, this.graph, lookup).length === 0) this.sendStop(rec);
      return;
    }
    if (hasProcess) return; // stopping: the exit will call us again
    // No process from here on.
    if (rec.desired === "down") {
      if (rec.state === "blocked" || (rec.state === "starting" && rec.phase === "backoff")) {
        this.setState(rec, "inactive", this.stopNotes.get(rec.name) ?? "stopped");
      } else if ((rec.state === "exited" || rec.state === "failed") && !this.shuttingDown && this.stopNotes.has(rec.name)) {
        // A user stop of a finished unit makes it inactive; a shutdown leaves the record of how it ended.
        this.setState(rec, "inactive", this.stopNotes.get(rec.name)!);
        this.stopNotes.delete(rec.name);
      }
      return;
    }
    if (rec.state === "starting" && rec.phase === "backoff") {
      const lost = lostRequirement(rec, lookup);
      if (lost !== null) this.setState(rec, "blocked", `requires ${lost} (${lookup(lost)?.state ?? "unknown"})`);
      return;
    }
    // A back-off that has run out leaves the unit starting with no process: it is
    // started like a blocked one, so a requirement lost meanwhile still holds it.
    const backoffOver = rec.state === "starting" && rec.phase === "idle";
    if (rec.state !== "inactive" && rec.state !== "blocked" && !backoffOver) return;
    const blockers = startBlockers(rec, this.graph, lookup);
    if (blockers.length > 0) {
      this.setState(rec, "blocked", blockers.join(", "));
      return;
    }
    this.spawn(rec);
  }

  private stepTarget(rec: ServiceRecord, lookup: (n: string) => ServiceRecord | undefined): void {
    if (rec.cycle !== null || startStatus(rec) === "ignore") return;
    if (rec.desired === "down") {
      if (rec.state === "running" && dependentsStillUp(rec, this.graph, lookup).length > 0) return;
      if (rec.state !== "inactive") this.setState(rec, "inactive", this.stopNotes.get(rec.name) ?? "stopped");
      return;
    }
    const blockers = startBlockers(rec, this.graph, lookup);
    if (blockers.length > 0) this.setState(rec, "blocked", blockers.join(", "));
    else this.setState(rec, "running", "all requirements running");
  }

  // ---------------------------------------------------------------- effects

  private spawn(rec: ServiceRecord): void {
    if (rec.unit.kind !== "service") return;
    const config = rec.unit.config;
    const name = rec.name;
    const ring = this.rings.get(name)!;
    const forward = this.forward && config.logging.forward;
    let proc: ServiceProcess;
    try {
      proc = spawnService(
        config,
        (stream, line) => {
          const at = this.now();
          ring.push({ at, stream, line });
          if (forward) forwardLine(name, stream, line);
          if (this.logListeners.size > 0) {
            const out = toLogLine(name, { at, stream, line });
            for (const fn of this.logListeners) fn(out);
          }
        },
        this.spawner,
      );
    } catch (err) {
      rec.pid = null;
      this.setState(rec, "failed", err instanceof ZinitError ? err.message : `spawn failed: ${String(err)}`);
      return;
    }
    this.procs.set(name, proc);
    rec.pid = proc.pid;
    rec.phase = "spawned";
    rec.startedAt = this.now();
    rec.stopCause = null;
    this.stopNotes.delete(name);
    if (config.service.oneshot) {
      this.setState(rec, "starting", `running (pid ${proc.pid})`);
      this.armStartTimeout(rec, config.lifecycle.start_timeout_ms);
    } else if (config.health !== null) {
      this.setState(rec, "starting", `waiting for health check (pid ${proc.pid})`);
      this.armStartTimeout(rec, config.lifecycle.start_timeout_ms);
      this.health.begin(rec);
    } else {
      this.setState(rec, "running", `started (pid ${proc.pid})`);
    }
    proc.exited.then((end) => {
      if (this.procs.get(name) !== proc) return;
      this.onLeaderExit(rec, proc, exitOf(end.code, end.signal));
    });
  }

  private armStartTimeout(rec: ServiceRecord, ms: number): void {
    this.clearTimer(this.startTimers, rec.name);
    this.startTimers.set(
      rec.name,
      setTimeout(() => {
        this.startTimers.delete(rec.name);
        if (rec.state !== "starting" || rec.pid === null) return;
        rec.stopCause = "timeout";
        this.stopNotes.set(rec.name, `start timeout after ${ms} ms`);
        this.sendStop(rec);
      }, ms),
    );
  }

  private sendStop(rec: ServiceRecord): void {
    if (rec.pid === null || rec.unit.kind !== "service") return;
    const lifecycle = rec.unit.config.lifecycle;
    const pgid = rec.pid;
    const note = this.stopNotes.get(rec.name) ?? STOP_WORDS[rec.stopCause ?? "user"];
    this.setState(rec, "stopping", note);
    rec.phase = "signalled";
    signalGroup(pgid, lifecycle.stop_signal);
    this.killTimers.set(
      rec.name,
      setTimeout(() => {
        this.killTimers.delete(rec.name);
        rec.phase = "killed";
        signalGroup(pgid, "SIGKILL");
      }, lifecycle.stop_timeout_ms),
    );
  }

  /**
   * The group leader is gone. While stopping, the stop is over only when the whole
   * group is; otherwise leftovers of a crashed service are sent the stop signal
   * (and SIGKILL later) so that a restart never runs next to its own debris.
   */
  private onLeaderExit(rec: ServiceRecord, proc: ServiceProcess, exit: ExitStatus): void {
    const pgid = proc.pid;
    if (rec.state === "stopping") {
      const finish = () => {
        if (groupAlive(pgid)) {
          setTimeout(finish, GROUP_POLL_MS);
          return;
        }
        this.afterExit(rec, proc, exit);
      };
      finish();
      return;
    }
    if (groupAlive(pgid) && rec.unit.kind === "service") {
      const lifecycle = rec.unit.config.lifecycle;
      signalGroup(pgid, lifecycle.stop_signal);
      setTimeout(() => signalGroup(pgid, "SIGKILL"), lifecycle.stop_timeout_ms).unref?.();
    }
    this.afterExit(rec, proc, exit);
  }

  private afterExit(rec: ServiceRecord, proc: ServiceProcess, exit: ExitStatus): void {
    if (this.procs.get(rec.name) !== proc) return;
    this.procs.delete(rec.name);
    const cause = rec.stopCause;
    const ranForMs = rec.startedAt === null ? 0 : this.now() - rec.startedAt;
    exit.timedOut = cause === "timeout";
    exit.forced = rec.phase === "killed";
    if (cause === "unhealthy") exit.unhealthy = this.stopNotes.get(rec.name) ?? "health check failed";
    rec.lastExit = exit;
    rec.pid = null;
    rec.phase = "idle";
    rec.startedAt = null;
    rec.stopCause = null;
    const note = this.stopNotes.get(rec.name);
    switch (cause) {
      case "user":
      case "conflict":
      case "shutdown":
        this.setState(rec, "inactive", note ?? STOP_WORDS[cause]);
        this.stopNotes.delete(rec.name);
        break;
      case "restart":
      case "reload":
        this.setState(rec, "inactive", note ?? STOP_WORDS[cause]);
        this.stopNotes.delete(rec.name);
        if (rec.desired === "down") rec.desired = "up";
        break;
      case "dependency":
        this.setState(rec, "blocked", note ?? STOP_WORDS[cause]);
        this.stopNotes.delete(rec.name);
        break;
      default:
        this.decide(rec, exit, ranForMs);
    }
    this.schedule();
  }

  private decide(rec: ServiceRecord, exit: ExitStatus, ranForMs: number): void {
    if (rec.unit.kind !== "service") return;
    const config = rec.unit.config;
    const decision = decideOnExit(exit, {
      oneshot: config.service.oneshot,
      lifecycle: config.lifecycle,
      consecutiveRestarts: rec.consecutiveRestarts,
      ranForMs,
    });
    this.stopNotes.delete(rec.name);
    if (decision.action !== "restart" || rec.desired === "down" || this.shuttingDown) {
      if (decision.action === "restart") {
        this.setState(rec, "inactive", `${decision.reason.split(";")[0]}`);
      } else {
        this.setState(rec, decision.action, decision.reason);
      }
      return;
    }
    rec.consecutiveRestarts = decision.attempt;
    rec.totalRestarts++;
    rec.phase = "backoff";
    this.setState(rec, "starting", decision.reason);
    this.backoffTimers.set(
      rec.name,
      setTimeout(() => {
        this.backoffTimers.delete(rec.name);
        if (rec.state !== "starting" || rec.phase !== "backoff") return;
        rec.phase = "idle";
        this.schedule();
      }, decision.delayMs),
    );
  }

  // ---------------------------------------------------------------- reload

  /** The units in force, for reload planning. */
  units(): Unit[] {
    return [...this.records.values()].map((r) => r.unit);
  }

  /**
   * Applies a reload plan: removed units are stopped (dependents first) and
   * unloaded, changed ones take their new definition — restarted when what the
   * process is changed, in place otherwise — and added ones join and start.
   */
  async applyReload(plan: ReloadPlan): Promise<ReloadResult> {
    if (plan.refused) {
      return { added: [], removed: [], changed: [], unchanged: [...this.records.keys()].sort(), errors: plan.errors };
    }
    this.refuseWhileShuttingDown();
    // Only the removed unit is wanted down: its dependents lose a requirement, stop
    // first (they are up while it is) and wait blocked, naming it, until a reload
    // brings it back (SPEC section 6).
    for (const name of plan.removed) {
      const rec = this.records.get(name);
      if (!rec) continue;
      rec.desired = "down";
      this.stopNotes.set(name, "removed from the configuration");
      if (rec.pid !== null && rec.stopCause === null) rec.stopCause = "user";
    }
    this.schedule();
    await this.whenDown(plan.removed);
    for (const name of plan.removed) this.unload(name);

    const now = this.now();
    const restarted: string[] = [];
    const startNow: ServiceRecord[] = [];
    for (const { unit, restart } of plan.changed) {
      const rec = this.records.get(unit.name);
      if (!rec) continue;
      const oldStatus = startStatus(rec);
      const oldHealth = rec.unit.kind === "service" ? rec.unit.config.health : null;
      rec.unit = unit;
      this.fitRing(unit);
      // Without a health check a service runs as soon as it is spawned.
      if (!restart && this.health.reconfigure(rec, oldHealth)) this.setState(rec, "running", `health check removed (pid ${rec.pid})`);
      if (restart && rec.pid !== null && rec.stopCause === null) {
        rec.stopCause = "reload";
        this.stopNotes.set(rec.name, "definition changed: restarting");
        restarted.push(rec.name);
      }
      const status = startStatus(rec);
      if (status === "stop" && oldStatus !== "stop") this.takeDown(rec.name, "user", "status changed to stop");
      if (status === "start" && oldStatus !== "start") startNow.push(rec);
    }
    for (const unit of plan.added) {
      const rec = newRecord(unit, now);
      this.records.set(unit.name, rec);
      this.fitRing(unit);
      if (startStatus(rec) === "start") startNow.push(rec);
    }
    this.rebuildGraph();
    for (const rec of this.records.values()) {
      if (rec.cycle !== null) this.setState(rec, "failed", `dependency cycle: ${rec.cycle}`);
      else if (rec.state === "failed" && rec.reason.startsWith("dependency cycle")) {
        // The cycle was broken by this reload: the unit is free to come up again.
        this.setState(rec, "inactive", "dependency cycle resolved");
        if (startStatus(rec) === "start") startNow.push(rec);
      }
    }
    for (const rec of startNow) if (rec.cycle === null) this.markUp(rec);
    // A unit still up gets any new conflict enforced, as if it had just started.
    for (const rec of this.records.values()) {
      if (rec.desired === "up") for (const rival of this.graph.conflictsOf(rec.name)) this.takeDown(rival, "conflict", `conflicts with ${rec.name}`);
    }
    this.schedule();
    return {
      added: plan.added.map((u) => u.name).sort(),
      removed: [...plan.removed].sort(),
      changed: plan.changed.map((c) => ({ name: c.unit.name, restarted: restarted.includes(c.unit.name) })),
      unchanged: [...plan.unchanged].sort(),
      errors: plan.errors,
    };
  }

  private fitRing(unit: Unit): void {
    if (unit.kind !== "service") return;
    const ring = this.rings.get(unit.name);
    if (ring) ring.resize(unit.config.logging.buffer_lines);
    else this.rings.set(unit.name, new LogRing(unit.config.logging.buffer_lines));
  }

  private unload(name: string): void {
    for (const map of [this.backoffTimers, this.startTimers, this.killTimers]) this.clearTimer(map, name);
    this.health.end(name);
    this.records.delete(name);
    this.rings.delete(name);
    this.stopNotes.delete(name);
    this.procs.delete(name);
  }

  private whenDown(names: string[]): Promise<void> {
    if (names.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.downWaiters.push({ names, resolve });
      this.schedule();
    });
  }

  private checkDownWaiters(): void {
    if (this.downWaiters.length === 0) return;
    this.downWaiters = this.downWaiters.filter((w) => {
      const down = w.names.every((n) => {
        const r = this.records.get(n);
        return !r || (r.pid === null && r.state !== "stopping");
      });
      if (down) w.resolve();
      return !down;
    });
  }

  private checkShutdownDone(): void {
    if (!this.shuttingDown || this.shutdownWaiters.length === 0) return;
    if (this.procs.size > 0) return;
    for (const rec of this.records.values()) if (rec.pid !== null) return;
    const waiters = this.shutdownWaiters.splice(0);
    for (const w of waiters) w();
  }
}

function classOf(rec: ServiceRecord): "user" | "system" {
  return rec.unit.kind === "service" ? rec.unit.config.service.class : rec.unit.config.target.class;
}

function toLogLine(name: string, l: { at: number; stream: "stdout" | "stderr"; line: string }): LogLine {
  return { name, stream: l.stream, line: l.line, at: new Date(l.at).toISOString() };
}

