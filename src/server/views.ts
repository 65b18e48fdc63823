/**
 * Records as the protocol shows them (SPEC section 10), pure.
 */
import type { Graph } from "../sdk/graph/types.ts";
import type { ExitInfo, HealthInfo, ServiceStatusResult, ServiceSummary } from "../sdk/protocol/types.ts";
import type { ServiceRecord } from "./engine/model.ts";
import { startStatus } from "./engine/model.ts";

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

/** The effective configuration, defaults filled in, nested by section as in the TOML. */
export function effectiveConfig(rec: ServiceRecord): Record<string, unknown> {
  if (rec.unit.kind === "target") return structuredClone(rec.unit.config) as unknown as Record<string, unknown>;
  const { health, ...rest } = rec.unit.config;
  const out: Record<string, unknown> = structuredClone(rest);
  if (health) {
    const { argv: _argv, ...h } = health;
    out.health = h;
  } else out.health = null;
  return out;
}

export function statusOf(rec: ServiceRecord, graph: Graph): ServiceStatusResult {
  return {
    ...summaryOf(rec),
    health: healthOf(rec),
    exit: exitInfo(rec),
    config: effectiveConfig(rec),
    dependencies: structuredClone(rec.unit.config.dependencies),
    dependents: [...new Set(graph.dependentsOf(rec.name).map((e) => e.from))].sort(),
    file: rec.unit.file,
  };
}
