/**
 * Records as the protocol shows them (docs/protocol.md), pure.
 */
import type { Graph } from "../sdk/graph/types.ts";
import type { ExitInfo, HealthInfo, ServiceStatusResult, ServiceSummary } from "../sdk/protocol/types.ts";
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

export function summaryOf(rec: ServiceRecord): ServiceSummary {
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
  };
}

function exitInfo(rec: ServiceRecord): ExitInfo | null {
  return rec.lastExit ? { code: rec.lastExit.code, signal: rec.lastExit.signal } : null;
}

export function statusOf(rec: ServiceRecord, graph: Graph): ServiceStatusResult {
  return {
    ...summaryOf(rec),
    health: healthOf(rec),
    exit: exitInfo(rec),
    config: effectiveConfig(rec.unit),
    dependencies: structuredClone(rec.unit.config.dependencies),
    dependents: [...new Set(graph.dependentsOf(rec.name).map((e) => e.from))].sort(),
    file: rec.unit.file,
  };
}
