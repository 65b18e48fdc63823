/**
 * Reload planning (SPEC section 9), pure: from the units in force and a fresh load,
 * decide what is added, removed, changed (restarted or in place) and unchanged. A
 * file that failed to load keeps the definition in force under its name, so a typo
 * never takes a running service down. A plan that would create a dependency cycle
 * is refused whole, so running services are not disturbed.
 */
import type { ConfigIssue, LoadResult, Unit } from "../../sdk/config/types.ts";
import { formatIssue } from "../../sdk/config/types.ts";
import { buildGraph } from "../../sdk/graph/index.ts";

export interface ReloadPlan {
  /** the unit set to run with afterwards */
  next: Unit[];
  added: Unit[];
  removed: string[];
  changed: { unit: Unit; restart: boolean }[];
  unchanged: string[];
  errors: string[];
  /** true when the plan must not be applied at all */
  refused: boolean;
}

/** What the process is: a change here means a new process. */
function processIdentity(u: Unit): string {
  if (u.kind !== "service") return "target";
  const s = u.config.service;
  return JSON.stringify([s.exec, s.dir, s.env, s.user, s.group, s.oneshot]);
}

function stemOf(issue: ConfigIssue): string {
  const base = issue.file.split("/").pop() ?? issue.file;
  return base.endsWith(".toml") ? base.slice(0, -5) : base;
}

export function planReload(current: readonly Unit[], loaded: LoadResult): ReloadPlan {
  const before = new Map(current.map((u) => [u.name, u]));
  const after = new Map(loaded.units.map((u) => [u.name, u]));
  const errors = loaded.errors.map(formatIssue);
  // A broken file keeps its previous definition in force.
  for (const issue of loaded.errors) {
    const name = stemOf(issue);
    const old = before.get(name);
    if (old && !after.has(name)) after.set(name, old);
  }
  const plan: ReloadPlan = { next: [...after.values()], added: [], removed: [], changed: [], unchanged: [], errors, refused: false };
  for (const [name, unit] of after) {
    const old = before.get(name);
    if (!old) plan.added.push(unit);
    else if (old === unit || JSON.stringify(old) === JSON.stringify(unit)) plan.unchanged.push(name);
    else plan.changed.push({ unit, restart: old.kind !== unit.kind || processIdentity(old) !== processIdentity(unit) });
  }
  for (const name of before.keys()) if (!after.has(name)) plan.removed.push(name);

  const oldCycles = new Set(buildGraph(current.map(asNode)).cycles.map((c) => c.path.join(" -> ")));
  const newCycles = buildGraph(plan.next.map(asNode)).cycles.map((c) => c.path.join(" -> "));
  const introduced = newCycles.filter((c) => !oldCycles.has(c));
  if (introduced.length > 0) {
    plan.refused = true;
    for (const c of introduced) plan.errors.push(`reload refused: it would create a dependency cycle: ${c}`);
  }
  return plan;
}

function asNode(u: Unit) {
  return { name: u.name, kind: u.kind, dependencies: u.config.dependencies };
}
