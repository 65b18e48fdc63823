/**
 * What `zinit health` answers, pure: is every unit that should be up actually up?
 *
 * A unit passes when it is `running` (a oneshot: `exited`, which the engine only
 * reaches on exit 0) and, if it has a health check, that check is `passing`. A
 * service still waiting for its first check (`unknown`) does not pass: a readiness
 * probe must not send traffic to it yet. Without names, the units asked about are
 * those with status = "start" — the ones the configuration says should be up;
 * `stop` and `ignore` units are down on purpose.
 */
import { ZinitError } from "../sdk/errors.ts";
import type { HealthReport, HealthVerdict } from "../sdk/protocol/types.ts";
import { isOneshot, startStatus, type ServiceRecord } from "./engine/model.ts";

/** The verdict on one unit. */
export function verdictOf(rec: ServiceRecord): HealthVerdict {
  const base = { name: rec.name, kind: rec.unit.kind, state: rec.state };
  const problem = problemOf(rec);
  return { ...base, healthy: problem === null, problem };
}

function problemOf(rec: ServiceRecord): string | null {
  if (isOneshot(rec)) return rec.state === "exited" ? null : `${rec.state} (a oneshot must have exited 0): ${rec.reason}`;
  if (rec.state !== "running") return `${rec.state}: ${rec.reason}`;
  if (rec.unit.kind !== "service" || rec.unit.config.health === null) return null;
  const h = rec.health;
  if (h === null || h.status === "unknown") return "running, but its health check has not passed yet";
  if (h.status === "failing") return `running, but its health check is failing${h.error ? `: ${h.error}` : ""}`;
  return null;
}

/**
 * The report on `names`, or on every unit with status = "start" when `names` is
 * empty or absent. Unknown names are refused together (`not_found`), so a probe
 * with a typo fails loudly instead of passing on the names that do exist.
 */
export function healthReport(records: ReadonlyMap<string, ServiceRecord>, names?: readonly string[]): HealthReport {
  let chosen: ServiceRecord[];
  if (names && names.length > 0) {
    const unknown = names.filter((n) => !records.has(n));
    if (unknown.length > 0) {
      const list = unknown.map((n) => `"${n}"`).join(", ");
      throw new ZinitError("not_found", `unknown service${unknown.length > 1 ? "s" : ""} ${list}`);
    }
    chosen = [...new Set(names)].map((n) => records.get(n) as ServiceRecord);
  } else {
    chosen = [...records.values()].filter((r) => startStatus(r) === "start");
  }
  const units = chosen.map(verdictOf).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { healthy: units.every((u) => u.healthy), units };
}
