/**
 * `service.list` and `service.status` as answered: the pure views of the records
 * (src/server/views.ts) with what is read on request — the /proc figures of the
 * live processes and the counters of the log file. Nothing here is polled.
 */
import type { ServiceStatusResult, ServiceSummary } from "../../sdk/protocol/types.ts";
import type { ServiceRecord } from "../engine/model.ts";
import { readGroupFigures, readServiceFigures } from "../effects/proc-figures.ts";
import type { Supervisor } from "../supervisor.ts";
import { statusOf, summaryOf } from "../views.ts";

/** Every unit, by name; one scan of /proc for all of them. */
export function listView(sup: Supervisor): ServiceSummary[] {
  const records = [...sup.records.values()];
  const figures = readGroupFigures(records.flatMap((r) => (r.pid === null ? [] : [r.pid])));
  return records
    .map((r) => summaryOf(r, r.pid === null ? null : (figures.get(r.pid) ?? { memory_bytes: 0 })))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function statusView(sup: Supervisor, rec: ServiceRecord): ServiceStatusResult {
  return statusOf(rec, sup.graph, {
    figures: rec.pid === null ? null : readServiceFigures(rec.pid),
    logFile: sup.logFiles.status(rec.name),
  });
}
