/**
 * The supervisor loop: feeds events into the pure engine (src/server/engine/engine.ts,
 * where every decision and the state model live) and carries its commands out —
 * spawns, signals to process groups, timers, health probes, log rings and state
 * events. It decides nothing itself: when something happens out here (a process
 * ends, a timer fires, a probe answers, an orphan is reaped), it says so to the
 * engine and does what the engine answers.
 *
 * Every timer is tracked by (unit, purpose) and cancellable; the end of a process
 * group is learned from the reaper's events (every member of a service's group is
 * our descendant, so we reap it), with a slow fallback check for the rare member
 * whose parent is not us. Where services run in cgroups of their own
 * (effects/cgroups.ts), a service's end is its cgroup becoming empty, which the
 * kernel tells through cgroup.events (inotify).
 */
import type { Unit } from "../sdk/config/types.ts";
import type { Graph } from "../sdk/graph/types.ts";
import { ZinitError } from "../sdk/errors.ts";
import type { LogLine, ReloadResult, StateEvent } from "../sdk/protocol/types.ts";
import { newModel, step, timerKey, type EngineModel } from "./engine/engine.ts";
import type { Command, EngineEvent } from "./engine/io.ts";
import type { ServiceRecord } from "./engine/model.ts";
import { exitOf } from "./engine/exit.ts";
import { LogRing } from "./engine/log-ring.ts";
import type { ReloadPlan } from "./engine/reload.ts";
import type { ProcessEnd, ServiceListener, ServiceProcess, Spawner } from "./effects/process.ts";
import { hostProcesses, type ProcessSystem } from "./effects/processes.ts";
import { forwardChunk } from "./effects/output.ts";
import { probe, type ProbeSpawner } from "./effects/health.ts";
import { LOG_FILE_READ_BYTES, LogFiles } from "./effects/log-file.ts";
import { EnvFileError } from "../sdk/config/env-files.ts";
import type { CgroupFigures, ServiceCgroups } from "./effects/cgroups.ts";

export interface SupervisorOptions {
  /** the services' cgroups, where a writable cgroup v2 was found; null or absent: process groups only */
  cgroups?: ServiceCgroups | null;
  /** how services are spawned on the host (through the reaper in the server) */
  spawner?: Spawner;
  /** the process operations; the host's unless a test gives its own */
  processes?: ProcessSystem;
  /** how exec health probes are spawned (through the reaper in the server) */
  probeSpawner?: ProbeSpawner;
  /** copy service output to our stdout (each service can still say forward = false) */
  forward?: boolean;
  now?: () => number;
  /** a bug caught in a listener or a pass: logged, never fatal */
  onError?: (err: unknown) => void;
}

interface WatchedGroup {
  name: string;
  pgid: number;
  check: Timer | null;
  delay: number;
}

type StateListener = (event: StateEvent) => void;
type CriticalListener = (failure: { name: string; status: number; reason: string }) => void;
type LogListener = (line: LogLine) => void;

/** Fallback check of a draining group, for members whose exit we are not told of. */
const GROUP_CHECK_FIRST_MS = 50;
const GROUP_CHECK_MAX_MS = 1_000;

export class Supervisor {
  private readonly model: EngineModel = newModel();
  private readonly procs = new Map<string, ServiceProcess>();
  private readonly rings = new Map<string, LogRing>();
  /** `[logging] file` of each service that has one; read by `status` */
  readonly logFiles = new LogFiles(() => this.now());
  private readonly timers = new Map<string, Timer>();
  private readonly probes = new Map<string, Timer>();
  /** groups whose end the engine waits for: key name\0pgid */
  private readonly watched = new Map<string, { name: string; pgid: number; check: Timer | null; delay: number }>();
  /** cgroups whose emptying the engine waits for, by unit: how to stop watching */
  private readonly watchedCgroups = new Map<string, () => void>();
  private readonly cgroups: ServiceCgroups | null;
  private readonly stateListeners = new Set<StateListener>();
  private readonly logListeners = new Set<LogListener>();
  private readonly criticalListeners = new Set<CriticalListener>();
  private readonly shutdownWaiters: (() => void)[] = [];
  private readonly reloadWaiters = new Map<number, (r: ReloadResult) => void>();
  private nextReloadToken = 1;
  private readonly now: () => number;
  private readonly processes: ProcessSystem;
  private readonly probeSpawner: ProbeSpawner;
  private readonly forward: boolean;
  private readonly onError: (err: unknown) => void;

  constructor(units: Unit[], opts: SupervisorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.cgroups = opts.cgroups ?? null;
    this.processes = opts.processes ?? hostProcesses(opts.spawner);
    this.probeSpawner = opts.probeSpawner ?? ((argv, o) => Bun.spawn(argv, o));
    this.forward = opts.forward ?? true;
    this.onError = opts.onError ?? ((err) => console.error(err));
    this.feed({ type: "load", units });
  }

  /** The unit records, read by the status and list views. */
  get records(): ReadonlyMap<string, ServiceRecord> {
    return this.model.records;
  }

  get graph(): Graph {
    return this.model.graph;
  }

  get isShuttingDown(): boolean {
    return this.model.shuttingDown;
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

  /** A unit with `critical = true` ended failed: the host shuts zinit down with `status`. */
  onCritical(fn: CriticalListener): () => void {
    this.criticalListeners.add(fn);
    return () => this.criticalListeners.delete(fn);
  }

  // ---------------------------------------------------------------- commands in

  start(name: string): void {
    this.feed({ type: "start", name });
  }

  stop(name: string): void {
    this.feed({ type: "stop", name });
  }

  restart(name: string): void {
    this.feed({ type: "restart", name });
  }

  kill(name: string, signal: string | number = "SIGTERM"): void {
    this.feed({ type: "kill", name, signal });
  }

  startAll(): string[] {
    return this.feed({ type: "start-all" }) ?? [];
  }

  stopAll(): string[] {
    return this.feed({ type: "stop-all" }) ?? [];
  }

  /** Ordered shutdown of everything, system class included; resolves when no process is left. */
  shutdown(): Promise<void> {
    const done = new Promise<void>((resolve) => this.shutdownWaiters.push(resolve));
    this.feed({ type: "shutdown" });
    return done;
  }

  /** Applies a reload plan; resolves once removed units are down and the rest is applied. */
  applyReload(plan: ReloadPlan): Promise<ReloadResult> {
    const token = this.nextReloadToken++;
    const done = new Promise<ReloadResult>((resolve) => this.reloadWaiters.set(token, resolve));
    try {
      this.feed({ type: "reload", plan, token });
    } catch (err) {
      this.reloadWaiters.delete(token);
      return Promise.reject(err);
    }
    return done;
  }

  /** The reaper reaped a process that is not one of our direct children: a group may have emptied. */
  noteOrphanReaped(): void {
    for (const w of [...this.watched.values()]) {
      const gone = this.checkGroup(w);
      if (gone) this.report(gone);
    }
    // An orphan may also have been the last process of a cgroup: a check costs one read.
    for (const name of [...this.watchedCgroups.keys()]) {
      if (this.cgroups?.populated(name) === false) this.cgroupEmptied(name);
    }
  }

  /**
   * Memory, CPU, pids and (with `withProcesses`) the processes of a service's
   * live run, from its cgroup; null without one.
   */
  cgroupFigures(name: string, withProcesses = true): CgroupFigures | null {
    const rec = this.model.records.get(name);
    if (!this.cgroups || !rec || rec.pid === null || !rec.cgroup) return null;
    return this.cgroups.figures(name, withProcesses);
  }

  /** memory.current of a service's live run; null without a cgroup. */
  cgroupMemory(name: string): number | null {
    return this.cgroupFigures(name, false)?.memory_bytes ?? null;
  }

  // ---------------------------------------------------------------- queries

  logs(name: string | undefined, lines: number): LogLine[] {
    if (name !== undefined) {
      if (!this.model.records.has(name)) throw new ZinitError("not_found", `unknown service "${name}"`);
      const ring = this.rings.get(name);
      return ring ? ring.tail(lines).map((l) => toLogLine(name, l)) : [];
    }
    const all: LogLine[] = [];
    for (const [n, ring] of this.rings) for (const l of ring.tail()) all.push(toLogLine(n, l));
    all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return all.slice(Math.max(0, all.length - lines));
  }

  lookup(name: string): ServiceRecord | undefined {
    return this.model.records.get(name);
  }

  /** The units in force, for reload planning. */
  units(): Unit[] {
    return [...this.model.records.values()].map((r) => r.unit);
  }

  // ---------------------------------------------------------------- the loop

  /** One event in, its commands carried out. A refused command throws before anything changed. */
  private feed(event: EngineEvent): string[] | undefined {
    const { commands, names } = step(this.model, event, this.now());
    this.run(commands);
    return names;
  }

  /** Feeds an event that comes from out here (no caller to throw to): a bug is logged. */
  private report(event: EngineEvent): void {
    try {
      this.feed(event);
    } catch (err) {
      this.onError(err);
    }
  }

  /**
   * Carries out a batch. A spawn (always the last command of its batch: the walk
   * waits for it) and a group already empty answer with an event at once; those
   * are stepped here in a loop rather than by recursion, so 1,000 spawns in one
   * pass do not nest 1,000 calls deep.
   */
  private run(commands: Command[]): void {
    let batch = commands;
    while (batch.length > 0) {
      const answers: EngineEvent[] = [];
      for (const c of batch) {
        try {
          const answer = this.carryOut(c);
          if (answer) answers.push(answer);
        } catch (err) {
          this.onError(err);
        }
      }
      batch = [];
      for (const a of answers) {
        try {
          batch.push(...step(this.model, a, this.now()).commands);
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }

  private carryOut(c: Command): EngineEvent | void {
    switch (c.kind) {
      case "emit":
        for (const fn of this.stateListeners) {
          try {
            fn(c.event);
          } catch (err) {
            this.onError(err);
          }
        }
        return;
      case "schedule-pass":
        // As soon as the event that asked for it is handled, not a turn of the
        // event loop later: each step of an ordered stop waits for it (a chain
        // of 100 stopped ~5 ms sooner, 10 layers of 100 ~10 ms). Everything that
        // asks in the same handler still shares the one pass.
        queueMicrotask(() => this.report({ type: "pass" }));
        return;
      case "spawn":
        return this.spawn(c.name);
      case "signal":
        this.processes.signalGroup(c.pgid, c.signal);
        return;
      case "arm": {
        const key = timerKey(c.timer);
        const old = this.timers.get(key);
        if (old !== undefined) clearTimeout(old);
        this.timers.set(
          key,
          setTimeout(() => {
            this.timers.delete(key);
            this.report({ type: "timer", timer: c.timer });
          }, c.ms),
        );
        return;
      }
      case "cancel": {
        const key = timerKey(c.timer);
        const t = this.timers.get(key);
        if (t !== undefined) clearTimeout(t);
        this.timers.delete(key);
        return;
      }
      case "watch-group":
        return this.watchGroup(c.name, c.pgid);
      case "signal-cgroup":
        if (this.cgroups) this.cgroups.signal(c.name, c.pgid, c.signal);
        else this.processes.signalGroup(c.pgid, c.signal);
        return;
      case "kill-cgroup":
        if (this.cgroups) this.cgroups.kill(c.name, c.pgid);
        else this.processes.signalGroup(c.pgid, "SIGKILL");
        return;
      case "watch-cgroup":
        return this.watchCgroup(c.name);
      case "apply-limits": {
        const unit = this.model.records.get(c.name)?.unit;
        if (!this.cgroups || unit?.kind !== "service") return;
        const problems = this.cgroups.apply(c.name, unit.config.resources);
        if (problems.length > 0) this.onError(new Error(`${c.name}: limits not applied in place: ${problems.join(", ")}`));
        return;
      }
      case "probe":
        return this.armProbe(c.name, c.delayMs);
      case "cancel-probe":
        return this.cancelProbe(c.name);
      case "fit-ring": {
        const ring = this.rings.get(c.name);
        if (ring) ring.resize(c.lines);
        else this.rings.set(c.name, new LogRing(c.lines));
        const unit = this.model.records.get(c.name)?.unit;
        if (unit?.kind === "service") this.logFiles.fit(c.name, unit.config.logging);
        return;
      }
      case "forget":
        this.rings.delete(c.name);
        this.logFiles.forget(c.name);
        this.cancelCgroupWatch(c.name);
        this.cgroups?.release(c.name);
        this.procs.delete(c.name);
        return;
      case "reload-done": {
        const resolve = this.reloadWaiters.get(c.token);
        this.reloadWaiters.delete(c.token);
        resolve?.(c.result);
        return;
      }
      case "critical-failure":
        for (const fn of this.criticalListeners) fn({ name: c.name, status: c.status, reason: c.reason });
        return;
      case "shutdown-done":
        this.cgroups?.releaseAll();
        // The last lines reach the log files before the server may exit (bounded wait).
        void this.logFiles.closeAll().then(() => {
          for (const w of this.shutdownWaiters.splice(0)) w();
        });
        return;
    }
  }

  // ---------------------------------------------------------------- effects

  /** Spawns at once and answers the engine before anything else happens. */
  private spawn(name: string): EngineEvent {
    const rec = this.model.records.get(name);
    if (!rec || rec.unit.kind !== "service") return { type: "spawn-failed", name, message: "not a service" };
    const config = rec.unit.config;
    const ring = this.rings.get(name) ?? new LogRing(config.logging.buffer_lines);
    this.rings.set(name, ring);
    const forward = this.forward && config.logging.forward;
    let placement: { path: string; unenforced: string[] } | null = null;
    if (this.cgroups) {
      try {
        placement = this.cgroups.prepare(name, config.resources);
      } catch (err) {
        // Whatever stood in the way (leftovers just killed, a busy cgroup) may be gone at the next try.
        return { type: "spawn-failed", name, message: `spawn failed: ${(err as Error).message}`, retry: true };
      }
    }
    const run = new ServiceRun(this.runContext, name, ring, forward, placement === null ? null : this.cgroups);
    let proc: ServiceProcess;
    try {
      proc = this.processes.spawn(config, run, placement?.path);
    } catch (err) {
      const message = err instanceof ZinitError ? err.message : `spawn failed: ${String(err)}`;
      return { type: "spawn-failed", name, message, retry: err instanceof EnvFileError };
    }
    run.proc = proc;
    this.procs.set(name, proc);
    proc.ready?.then((announced) => {
      if (announced && this.procs.get(name) === proc) this.report({ type: "ready", name, pid: proc.pid });
    });
    if (placement === null) return { type: "spawned", name, pid: proc.pid };
    return { type: "spawned", name, pid: proc.pid, cgroup: true, unenforced: placement.unenforced };
  }

  /** The leader of `proc` is gone: the engine hears of it, unless a newer run of `name` replaced it. */
  private leaderExited(name: string, proc: ServiceProcess, cgroups: ServiceCgroups | null, end: ProcessEnd): void {
    if (this.procs.get(name) !== proc) return;
    this.procs.delete(name);
    try {
      // The OOM killer counts its kill before the victim is gone: it is known by now.
      if (cgroups && cgroups.oomKills(name) > 0) this.report({ type: "oom-killed", name, pid: proc.pid });
      const groupAlive = cgroups ? cgroups.populated(name) : this.processes.groupAlive(proc.pid);
      this.report({ type: "leader-exited", name, pid: proc.pid, exit: exitOf(end.code, end.signal), groupAlive });
    } catch (err) {
      this.onError(err);
    }
  }

  /** What every ServiceRun reaches back into: one object for all runs. */
  private readonly runContext: RunContext = {
    now: () => this.now(),
    logFiles: this.logFiles,
    logListeners: this.logListeners,
    exited: (name, proc, cgroups, end) => this.leaderExited(name, proc, cgroups, end),
  };

  private watchGroup(name: string, pgid: number): EngineEvent | void {
    const key = `${name}\0${pgid}`;
    if (this.watched.has(key)) return;
    const w: WatchedGroup = { name, pgid, check: null, delay: GROUP_CHECK_FIRST_MS };
    this.watched.set(key, w);
    return this.checkGroup(w);
  }

  /** The group's end as an event, or null (and a fallback check armed) while it lives. */
  private checkGroup(w: WatchedGroup): EngineEvent | void {
    if (w.check !== null) clearTimeout(w.check);
    w.check = null;
    if (!this.processes.groupAlive(w.pgid)) {
      this.watched.delete(`${w.name}\0${w.pgid}`);
      return { type: "group-gone", name: w.name, pgid: w.pgid };
    }
    w.check = setTimeout(() => {
      const gone = this.checkGroup(w);
      if (gone) this.report(gone);
    }, w.delay);
    w.delay = Math.min(w.delay * 2, GROUP_CHECK_MAX_MS);
  }

  /** The cgroup's end as an event now, or later through `cgroupEmptied` (inotify on cgroup.events). */
  private watchCgroup(name: string): EngineEvent | void {
    if (!this.cgroups) return { type: "cgroup-empty", name };
    this.cancelCgroupWatch(name);
    const cancel = this.cgroups.watchEmpty(name, () => this.cgroupEmptied(name));
    if (cancel === null) return { type: "cgroup-empty", name };
    this.watchedCgroups.set(name, cancel);
  }

  private cgroupEmptied(name: string): void {
    if (!this.watchedCgroups.has(name)) return;
    this.cancelCgroupWatch(name);
    this.report({ type: "cgroup-empty", name });
  }

  private cancelCgroupWatch(name: string): void {
    const cancel = this.watchedCgroups.get(name);
    this.watchedCgroups.delete(name);
    cancel?.();
  }

  private armProbe(name: string, delayMs: number): void {
    this.cancelProbe(name);
    this.probes.set(
      name,
      setTimeout(() => {
        this.probes.delete(name);
        void this.runProbe(name);
      }, delayMs),
    );
  }

  private cancelProbe(name: string): void {
    const t = this.probes.get(name);
    if (t !== undefined) clearTimeout(t);
    this.probes.delete(name);
  }

  private async runProbe(name: string): Promise<void> {
    const rec = this.model.records.get(name);
    if (!rec || rec.unit.kind !== "service" || rec.unit.config.health === null || rec.pid === null) return;
    const pid = rec.pid;
    const config = rec.unit.config;
    const result = await probe(config.health!, config, this.probeSpawner);
    this.report({ type: "probe-result", name, pid, ok: result.ok, error: result.error });
  }
}

interface RunContext {
  now(): number;
  logFiles: LogFiles;
  logListeners: ReadonlySet<LogListener>;
  exited(name: string, proc: ServiceProcess, cgroups: ServiceCgroups | null, end: ProcessEnd): void;
}

/**
 * One run of a service as its process sees us: where its output goes (its ring,
 * and when asked its log file, zinit's own output and `logs -f`), and who hears
 * of its end. A class with its methods shared, not closures per run: with 1,000
 * services those were ~1,000 functions and scopes kept for nothing.
 */
class ServiceRun implements ServiceListener {
  proc: ServiceProcess | null = null;
  /** `NAME| `, encoded, when its lines are copied to zinit's own output (`[logging] forward`) */
  private readonly forwardPrefix: Uint8Array | null;

  constructor(
    private readonly ctx: RunContext,
    private readonly name: string,
    private readonly ring: LogRing,
    forward: boolean,
    private readonly cgroups: ServiceCgroups | null,
  ) {
    this.forwardPrefix = forward ? new TextEncoder().encode(`${name}| `) : null;
  }

  /**
   * Only the ring's capacity matters unless every line is wanted as text too
   * (`logs -f`); forwarding and a log file copy the bytes and need no text.
   */
  wanted(): number {
    return this.ctx.logListeners.size > 0 ? Number.POSITIVE_INFINITY : this.ring.capacity;
  }

  holdsOff(): boolean {
    return this.ctx.logFiles.holdsOff(this.name);
  }

  readLimit(): number {
    return this.ctx.logFiles.has(this.name) ? LOG_FILE_READ_BYTES : Number.POSITIVE_INFINITY;
  }

  rawLines(stream: "stdout" | "stderr", head: Uint8Array | null, body: Uint8Array): void {
    if (this.forwardPrefix !== null) forwardChunk(this.forwardPrefix, stream, head, body);
    this.ctx.logFiles.writeChunk(this.name, stream, head, body);
  }

  lines(stream: "stdout" | "stderr", lines: string[]): void {
    const { name, ring, ctx } = this;
    const at = ctx.now();
    for (const line of lines) ring.push({ at, stream, line });
    if (ctx.logListeners.size > 0) {
      for (const line of lines) {
        const out = toLogLine(name, { at, stream, line });
        for (const fn of ctx.logListeners) fn(out);
      }
    }
  }

  exited(end: ProcessEnd): void {
    // Bun reports the exit from its event loop, never while spawn is still returning.
    if (this.proc !== null) this.ctx.exited(this.name, this.proc, this.cgroups, end);
  }
}

function toLogLine(name: string, l: { at: number; stream: "stdout" | "stderr"; line: string }): LogLine {
  return { name, stream: l.stream, line: l.line, at: new Date(l.at).toISOString() };
}
