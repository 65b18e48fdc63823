/**
 * The text of `zinit health` (pure): one line per unit that does not pass, then a
 * summary line. What a Kubernetes probe or `docker inspect` shows as the reason.
 */
import type { HealthReport } from "../../sdk/protocol/types.ts";

export function renderHealth(report: HealthReport): string {
  const total = report.units.length;
  const units = `${total} unit${total === 1 ? "" : "s"}`;
  if (report.healthy) return `healthy: ${units}`;
  const bad = report.units.filter((u) => !u.healthy);
  const lines = bad.map((u) => `${u.name}: ${u.problem ?? u.state}`);
  lines.push(`unhealthy: ${bad.length} of ${units}`);
  return lines.join("\n");
}
