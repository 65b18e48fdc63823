/**
 * A supervised unit as the engine sees it. Desired state (up/down) is kept apart
 * from the current state (dinit's model): `inactive` versus `blocked` follows from
 * it, and a crash never changes what the operator asked for.
 *
 * `stopCause` is set from the moment zinit decides to take a running process down
 * until that process group is gone; dependents read it as "this one is going down".
 */
import type { ServiceState } from "../../sdk/states.ts";
import type { Unit } from "../../sdk/config/types.ts";
import type { ExitStatus } from "./exit.ts";

export type Desired = "up" | "down";

export type StopCause =
  | "user" // stop, stop-all, a dependent of a stopped service
  | "restart" // restart command: come back up at once
  | "dependency" // a requirement crashed: go blocked, come back with it
  | "conflict" // another service that conflicts with this one is starting
  | "shutdown"
  | "timeout" // start_timeout_ms ran out: a failure
  | "unhealthy" // health check failed `retries` times: a failure
  | "reload"; // the definition changed: restart with the new one

/** Finer detail under the public state. */
export type Phase = "idle" | "backoff" | "spawning" | "spawned" | "signalled" | "killed" | "draining";

export interface HealthRecord {
  status: "passing" | "failing" | "unknown";
  checkedAt: number | null;
  error: string | null;
  consecutiveFailures: number;
}

export interface ServiceRecord {
  readonly name: string;
  unit: Unit;
  state: ServiceState;
  reason: string;
  since: number;
  desired: Desired;
  phase: Phase;
  pid: number | null;
  stopCause: StopCause | null;
  /** restarts since the last stable run, for back-off and max_restarts */
  consecutiveRestarts: number;
  /** every restart since load, for `list` and `status` */
  totalRestarts: number;
  lastExit: ExitStatus | null;
  /** spawned with ready_fd and the readiness line has not come yet */
  awaitingReady: boolean;
  /** how the leader ended, kept while the rest of its process group drains */
  pendingExit: ExitStatus | null;
  startedAt: number | null;
  health: HealthRecord | null;
  /** dependency cycle this unit lies on ("a -> b -> a"), if any */
  cycle: string | null;
  /** the live process runs in a cgroup of the unit's own */
  cgroup: boolean;
  /** the OOM killer struck in the live process's cgroup */
  oomKilled: boolean;
  /** which limits of [resources] the live process runs without, in words; null when all apply */
  limitsNote: string | null;
}

export function newRecord(unit: Unit, now: number): ServiceRecord {
  const status = unit.kind === "service" ? unit.config.service.status : unit.config.target.status;
  return {
    name: unit.name,
    unit,
    state: "inactive",
    reason: status === "ignore" ? 'ignored (status = "ignore")' : status === "stop" ? 'not started (status = "stop")' : "loaded",
    since: now,
    desired: "down",
    phase: "idle",
    pid: null,
    stopCause: null,
    consecutiveRestarts: 0,
    totalRestarts: 0,
    lastExit: null,
    awaitingReady: false,
    pendingExit: null,
    startedAt: null,
    health: null,
    cycle: null,
    cgroup: false,
    oomKilled: false,
    limitsNote: null,
  };
}

export function isOneshot(rec: ServiceRecord): boolean {
  return rec.unit.kind === "service" && rec.unit.config.service.oneshot;
}

export function startStatus(rec: ServiceRecord): "start" | "stop" | "ignore" {
  return rec.unit.kind === "service" ? rec.unit.config.service.status : rec.unit.config.target.status;
}

/** Has a process (or is waiting to spawn one) that must be taken down before it counts as stopped. */
export function isUp(rec: ServiceRecord): boolean {
  return rec.state === "starting" || rec.state === "running" || rec.state === "stopping";
}
