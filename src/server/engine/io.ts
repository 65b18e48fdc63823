/**
 * What goes into the engine (events) and what comes out of it (commands). The
 * engine is pure; the supervisor loop turns commands into effects (spawn, signal,
 * timers, probes, emitted events) and turns what happens out there back into
 * events. Every timer the engine wants is named by (unit, purpose) so that the
 * engine knows what is armed and can release it when a state no longer needs it.
 */
import type { Unit } from "../../sdk/config/types.ts";
import type { ReloadResult, StateEvent } from "../../sdk/protocol/types.ts";
import type { ExitStatus } from "./exit.ts";
import type { ReloadPlan } from "./reload.ts";

/**
 * Why a timer runs:
 * - backoff: the wait before the next restart of a crashed unit
 * - start-timeout: start_timeout_ms of a unit that is starting
 * - stop-kill: stop_timeout_ms after the stop signal; then SIGKILL
 * - leftover-kill: SIGKILL for what a crashed leader left in its group (keyed by that group)
 */
export type TimerPurpose = "backoff" | "start-timeout" | "stop-kill" | "leftover-kill";

export interface TimerRef {
  name: string;
  purpose: TimerPurpose;
  /** the process group a leftover-kill is for */
  pgid?: number;
}

export type EngineEvent =
  // operator commands
  | { type: "load"; units: Unit[] }
  | { type: "start"; name: string }
  | { type: "stop"; name: string }
  | { type: "restart"; name: string }
  | { type: "kill"; name: string; signal: string | number }
  | { type: "start-all" }
  | { type: "stop-all" }
  | { type: "shutdown" }
  | { type: "reload"; plan: ReloadPlan; token: number }
  // the level-triggered walk over every unit, asked for by `schedule-pass`
  | { type: "pass" }
  // what happened to processes, timers and probes
  /**
   * `cgroup`: the process runs in a cgroup of the unit's own (its end is learned
   * from the cgroup, stops reach the whole cgroup); `unenforced`: the limits of
   * [resources] that could not be written, each with why ("cpu_max (no cpu controller)")
   */
  | { type: "spawned"; name: string; pid: number; cgroup?: boolean; unenforced?: string[] }
  /** `retry`: the restart policy judges it like a failed exit (a bad env file) instead of failed at once */
  | { type: "spawn-failed"; name: string; message: string; retry?: boolean }
  | { type: "leader-exited"; name: string; pid: number; exit: ExitStatus; groupAlive: boolean }
  | { type: "group-gone"; name: string; pgid: number }
  /** the unit's cgroup holds no process any more (answers `watch-cgroup`) */
  | { type: "cgroup-empty"; name: string }
  /** the OOM killer killed in the cgroup of process `pid` (memory.events `oom_kill` grew) */
  | { type: "oom-killed"; name: string; pid: number }
  | { type: "timer"; timer: TimerRef }
  | { type: "probe-result"; name: string; pid: number; ok: boolean; error: string | null }
  /** the process wrote its readiness line on ready_fd */
  | { type: "ready"; name: string; pid: number };

export type Command =
  | { kind: "emit"; event: StateEvent }
  | { kind: "schedule-pass" }
  /** spawn the unit's process now and answer with `spawned` or `spawn-failed` before anything else */
  | { kind: "spawn"; name: string }
  | { kind: "signal"; pgid: number; signal: string }
  /** signal the process group, then every other process of the unit's cgroup (one that left the group) */
  | { kind: "signal-cgroup"; name: string; pgid: number; signal: string }
  /** SIGKILL every process of the unit's cgroup at once (cgroup.kill) */
  | { kind: "kill-cgroup"; name: string; pgid: number }
  /** answer with `cgroup-empty` once the unit's cgroup holds no process */
  | { kind: "watch-cgroup"; name: string }
  /** write the unit's [resources] into the cgroup of its live process (a reload changed them) */
  | { kind: "apply-limits"; name: string }
  | { kind: "arm"; timer: TimerRef; ms: number }
  | { kind: "cancel"; timer: TimerRef }
  /** answer with `group-gone` once no process of the group is left */
  | { kind: "watch-group"; name: string; pgid: number }
  /** run one health probe of the unit after `delayMs`, answer with `probe-result` */
  | { kind: "probe"; name: string; delayMs: number }
  | { kind: "cancel-probe"; name: string }
  /** keep (or resize) the unit's log ring to this many lines */
  | { kind: "fit-ring"; name: string; lines: number }
  /** the unit is unloaded: drop its ring and process handle */
  | { kind: "forget"; name: string }
  | { kind: "reload-done"; token: number; result: ReloadResult }
  /**
   * A critical unit ended failed: zinit goes down with it. `status` is what zinit
   * exits with: the unit's exit code, 128+N when signal N killed it, 1 when it
   * never ran.
   */
  | { kind: "critical-failure"; name: string; status: number; reason: string }
  | { kind: "shutdown-done" };
