/**
 * `service.list` and `service.status` as answered: the pure views of the records
 * (src/server/views.ts) with what is read on request — the figures of the live
 * processes (from the service's cgroup when it runs in one, else from /proc for
 * its process group) and the counters of the log file. Nothing here is polled.
 */
import type { ServiceStatusResult, ServiceSummary } from "../../sdk/protocol/types.ts";
import type { ServiceRecord } from "../engine/model.ts";
import { readGroupFigures, readServiceFigures } from "../effects/proc-figures.ts";
import type { Supervisor } from "../supervisor.ts";
import { statusOf, summaryOf } from "../views.ts";

/** Every unit, by name; one read per cgroup, and one scan of /proc for the rest. */
export function listView(sup: Supervisor): ServiceSummary[] {
  const records = [...sup.records.values()];
  const fromCgroup = new Map<string, number>();
  for (const r of records) {
    const bytes = r.pid === null ? null : sup.cgroupMemory(r.name);
    if (bytes !== null) fromCgroup.set(r.name, bytes);
  }
  const figures = readGroupFigures(records.flatMap((r) => (r.pid === null || fromCgroup.has(r.name) ? [] : [r.pid])));
  const live = (r: ServiceRecord) => {
    const bytes = fromCgroup.get(r.name);
    return bytes !== undefined ? { memory_bytes: bytes } : (figures.get(r.pid!) ?? { memory_bytes: 0 });
  };
  return records.map((r) => summaryOf(r, r.pid === null ? null : live(r))).sort((a, b) => a.name.localeCompare(b.name));
}

function leaderPids(sup: Supervisor): Set<number> {
  const pids = new Set<number>();
  for (const r of sup.records.values()) if (r.pid !== null) pids.add(r.pid);
  return pids;
}

export function statusView(sup: Supervisor, rec: ServiceRecord): ServiceStatusResult {
  return statusOf(rec, sup.graph, {
    figures: rec.pid === null ? null : (sup.cgroupFigures(rec.name) ?? readServiceFigures(rec.pid, leaderPids(sup))),
    logFile: sup.logFiles.status(rec.name),
  });
}
