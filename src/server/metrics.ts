/**
 * The Prometheus text exposition (format 0.0.4) of the server, pure: computed from
 * the records at the moment of a scrape, so there is no timer and nothing to keep
 * in step. `GET /metrics` and `system.metrics` both answer with this text.
 *
 * Families, each written as one block (HELP, TYPE, then its samples sorted by
 * unit name), as the format requires:
 *   zinit_info{version,mode}                         1
 *   zinit_service_state{service,state}               1 for the current state, 0 for the six others
 *   zinit_service_up{service}                        1 while running
 *   zinit_service_restarts_total{service}            restarts since the unit was loaded
 *   zinit_service_health_ok{service}                 only units with a health check
 *   zinit_service_start_time_seconds{service}        only units with a process
 *   zinit_service_memory_bytes{service}              only units with a process, when read
 *   zinit_service_cpu_seconds_total{service}         only units with a process, when read
 *   zinit_orphans_reaped_total                       processes zinit did not start but reaped
 */
import { SERVICE_STATES } from "../sdk/states.ts";
import type { ServiceRecord } from "./engine/model.ts";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What was read of a unit's live processes (memory in bytes, CPU time in ms). */
export interface LiveFigures {
  memory_bytes: number;
  cpu_ms: number;
}

export interface MetricsInput {
  version: string;
  mode: string;
  records: Iterable<ServiceRecord>;
  reapedOrphans: number;
  /** by unit name; units without an entry get no memory or CPU sample */
  figures?: ReadonlyMap<string, LiveFigures>;
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The whole exposition, ending with a newline. */
export function renderMetrics(input: MetricsInput): string {
  const recs = [...input.records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  const family = (name: string, type: "gauge" | "counter", help: string) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const svc = (r: ServiceRecord) => `service="${escapeLabelValue(r.name)}"`;

  family("zinit_info", "gauge", "Version of zinit and the mode its server runs in (standalone, container, vm); always 1.");
  out.push(`zinit_info{version="${escapeLabelValue(input.version)}",mode="${escapeLabelValue(input.mode)}"} 1`);

  family("zinit_service_state", "gauge", "State of each service and target: 1 for the state it is in, 0 for the six others.");
  for (const r of recs) {
    const label = svc(r);
    for (const s of SERVICE_STATES) out.push(`zinit_service_state{${label},state="${s}"} ${r.state === s ? 1 : 0}`);
  }

  family("zinit_service_up", "gauge", "1 while the service or target is running, else 0.");
  for (const r of recs) out.push(`zinit_service_up{${svc(r)}} ${r.state === "running" ? 1 : 0}`);

  family("zinit_service_restarts_total", "counter", "Restarts of the service since it was loaded.");
  for (const r of recs) out.push(`zinit_service_restarts_total{${svc(r)}} ${r.totalRestarts}`);

  family("zinit_service_health_ok", "gauge", "1 while the service's health check passes, 0 while it fails or has not run yet; only services with a health check.");
  for (const r of recs) {
    if (r.unit.kind !== "service" || r.unit.config.health === null) continue;
    out.push(`zinit_service_health_ok{${svc(r)}} ${r.health?.status === "passing" ? 1 : 0}`);
  }

  family("zinit_service_start_time_seconds", "gauge", "When the service's current process was started, in seconds since the Unix epoch; only services with a process.");
  for (const r of recs) {
    if (r.pid === null || r.startedAt === null) continue;
    out.push(`zinit_service_start_time_seconds{${svc(r)}} ${r.startedAt / 1000}`);
  }

  const figures = input.figures ?? new Map<string, LiveFigures>();
  family("zinit_service_memory_bytes", "gauge", "Resident memory of the service's live processes (its cgroup's memory.current when it has one); only services with a process.");
  for (const r of recs) {
    const f = r.pid === null ? undefined : figures.get(r.name);
    if (f) out.push(`zinit_service_memory_bytes{${svc(r)}} ${f.memory_bytes}`);
  }

  family("zinit_service_cpu_seconds_total", "counter", "CPU time (user and system) of the service's live processes and the children they reaped; starts again with a new process.");
  for (const r of recs) {
    const f = r.pid === null ? undefined : figures.get(r.name);
    if (f) out.push(`zinit_service_cpu_seconds_total{${svc(r)}} ${f.cpu_ms / 1000}`);
  }

  family("zinit_orphans_reaped_total", "counter", "Processes zinit did not start itself that it reaped (double-forked descendants, orphans of the PID namespace).");
  out.push(`zinit_orphans_reaped_total ${input.reapedOrphans}`);
  out.push("");
  return out.join("\n");
}
