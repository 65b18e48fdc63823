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

function healthOf(rec: ServiceRecord): HealthInfo | null {
  if (rec.unit.kind !== "service" || rec.unit.config.health === null) return null;
  const h = rec.health;
  if (!h) return { status: "unknown", checked_at: null, error: null };
  return { status: h.status, checked_at: h.checkedAt === null ? null : iso(h.checkedAt), error: h.error };
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
