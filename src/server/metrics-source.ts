/**
 * One scrape: the records of the supervisor and what is read of the live
 * processes at this moment — memory and CPU from the service's cgroup when it runs
 * in one, else one pass over /proc for all process groups at once — rendered by
 * the pure src/server/metrics.ts. Called per scrape and per `system.metrics`;
 * nothing is polled or cached in between.
 */
import { VERSION } from "../version.ts";
import { readGroupFigures } from "./effects/proc-figures.ts";
import { renderMetrics, type LiveFigures } from "./metrics.ts";
import type { Supervisor } from "./supervisor.ts";

/** Memory and CPU of every unit with a live process, by name. */
export function liveFigures(sup: Supervisor): Map<string, LiveFigures> {
  const out = new Map<string, LiveFigures>();
  const byGroup = new Map<number, string>();
  for (const r of sup.records.values()) {
    if (r.pid === null) continue;
    const cg = sup.cgroupFigures(r.name, false);
    if (cg) out.set(r.name, { memory_bytes: cg.memory_bytes, cpu_ms: cg.cpu_ms });
    // A service's process leads its own group: its pid is the group's id.
    else byGroup.set(r.pid, r.name);
  }
  for (const [pgid, f] of readGroupFigures(byGroup.keys())) {
    const name = byGroup.get(pgid);
    if (name !== undefined) out.set(name, { memory_bytes: f.memory_bytes, cpu_ms: f.cpu_ms });
  }
  return out;
}

/** The exposition for `sup` now; before the supervisor exists, the families without units. */
export function scrapeMetrics(sup: Supervisor | undefined, mode: string, reapedOrphans: number): string {
  return renderMetrics({
    version: VERSION,
    mode,
    records: sup?.records.values() ?? [],
    reapedOrphans,
    figures: sup ? liveFigures(sup) : undefined,
  });
}
