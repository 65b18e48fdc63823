/**
 * Records as the protocol shows them (docs/protocol.md), pure. What is read from
 * outside the record (/proc figures, the log file's counters) is passed in.
 */
import type { Graph } from "../sdk/graph/types.ts";
import type { ExitInfo, HealthInfo, LogFileStatus, ProcessInfo, ServiceStatusResult, ServiceSummary } from "../sdk/protocol/types.ts";
import type { ServiceRecord } from "./engine/model.ts";
import { startStatus } from "./engine/model.ts";
import { effectiveConfig } from "../sdk/config/parse.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Health is a fact about a live process. The engine keeps the last result after the
 * process is gone (it is model data), but shown as current it would lie: a stopped
 * service "passing". So `health` is only given while a process is probed
 * (starting or running), and the result of an earlier run is `last_health`.
 */
function probedNow(rec: ServiceRecord): boolean {
  return rec.pid !== null && (rec.state === "starting" || rec.state === "running");
}

function hasCheck(rec: ServiceRecord): boolean {
  return rec.unit.kind === "service" && rec.unit.config.health !== null;
}

function healthOf(rec: ServiceRecord): HealthInfo | null {
  if (!hasCheck(rec) || !probedNow(rec)) return null;
  const h = rec.health;
  if (!h) return { status: "unknown", checked_at: null, error: null };
  return { status: h.status, checked_at: h.checkedAt === null ? null : iso(h.checkedAt), error: h.error };
}

/** The last check's result from a process that is gone; null while one is probed, or if none was ever checked. */
function lastHealthOf(rec: ServiceRecord): HealthInfo | null {
  const h = rec.health;
  if (!hasCheck(rec) || probedNow(rec) || !h || h.checkedAt === null) return null;
  return { status: h.status, checked_at: iso(h.checkedAt), error: h.error };
}

/** The figures of a service's live processes, read from /proc on request. */
export interface LiveFigures {
  memory_bytes: number;
  cpu_ms: number;
  pids: number;
  processes: ProcessInfo[];
}

/** `live`: the figures of the unit's process group, when read. */
export function summaryOf(rec: ServiceRecord, live?: Pick<LiveFigures, "memory_bytes"> | null): ServiceSummary {
  return {
    name: rec.name,
    kind: rec.unit.kind,
    state: rec.state,
    reason: rec.reason,
    pid: rec.pid,
    class: rec.unit.kind === "service" ? rec.unit.config.service.class : rec.unit.config.target.class,
    status: startStatus(rec),
    since: iso(rec.since),
    restarts: rec.totalRestarts,
    health: healthOf(rec)?.status ?? null,
    memory_bytes: rec.pid === null ? null : (live?.memory_bytes ?? null),
  };
}

function exitInfo(rec: ServiceRecord): ExitInfo | null {
  return rec.lastExit ? { code: rec.lastExit.code, signal: rec.lastExit.signal } : null;
}

export interface StatusExtras {
  /** null or absent: no process (or not read) */
  figures?: LiveFigures | null;
  logFile?: LogFileStatus | null;
}

export function statusOf(rec: ServiceRecord, graph: Graph, extras: StatusExtras = {}): ServiceStatusResult {
  const live = rec.pid === null ? null : (extras.figures ?? null);
  return {
    ...summaryOf(rec, live),
    health: healthOf(rec),
    last_health: lastHealthOf(rec),
    exit: exitInfo(rec),
    config: effectiveConfig(rec.unit),
    dependencies: structuredClone(rec.unit.config.dependencies),
    dependents: [...new Set(graph.dependentsOf(rec.name).map((e) => e.from))].sort(),
    file: rec.unit.file,
    cpu_ms: live === null ? null : live.cpu_ms,
    pids: live === null ? null : live.pids,
    processes: live === null ? [] : live.processes,
    log_file: extras.logFile ?? null,
  };
}
