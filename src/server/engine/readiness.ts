/**
 * What a unit waits for before it may start, and whether a running unit has lost a
 * requirement (docs/configuration.md, dependencies), pure: it reads records through `lookup` and never
 * changes them.
 */
import type { EdgeType, Graph } from "../../sdk/graph/types.ts";
import { isOneshot, startStatus, type ServiceRecord } from "./model.ts";

export type Lookup = (name: string) => ServiceRecord | undefined;

/** A requirement is met while it runs (or, a oneshot, has exited 0) and is not going down. */
export function requirementMet(dep: ServiceRecord): boolean {
  if (dep.stopCause !== null) return false;
  if (dep.state === "running") return true;
  return dep.state === "exited" && isOneshot(dep) && dep.lastExit?.code === 0;
}

/** Wanted up and not yet settled: `after` and `wants` dependents wait for it. */
export function isOnItsWayUp(dep: ServiceRecord): boolean {
  if (dep.state === "blocked" || dep.state === "starting") return true;
  return dep.desired === "up" && dep.state === "inactive" && startStatus(dep) !== "ignore" && dep.cycle === null;
}

function describe(dep: ServiceRecord): string {
  if (startStatus(dep) === "ignore") return "ignored";
  if (dep.stopCause !== null && dep.state !== "stopping") return "stopping";
  return dep.state;
}

/** Why `rec` cannot start now: empty when it may start. */
export function startBlockers(rec: ServiceRecord, graph: Graph, lookup: Lookup): string[] {
  const out: string[] = [];
  const deps = rec.unit.config.dependencies;
  for (const name of deps.requires) {
    const dep = lookup(name);
    if (!dep) out.push(`requires unknown service ${name}`);
    else if (!requirementMet(dep)) out.push(`requires ${name} (${describe(dep)})`);
  }
  for (const edge of graph.dependenciesOf(rec.name)) {
    if (edge.type === "requires") continue;
    const dep = lookup(edge.to);
    if (!dep || startStatus(dep) === "ignore") continue;
    if (isOnItsWayUp(dep)) out.push(`${edge.type === "after" ? "after" : "wants"} ${edge.to} (${describe(dep)})`);
  }
  for (const name of graph.conflictsOf(rec.name)) {
    const other = lookup(name);
    if (other && (other.state === "starting" || other.state === "running" || other.state === "stopping")) {
      out.push(`conflicts with ${name} (${other.state === "stopping" ? "stopping" : "stopping it first"})`);
    }
  }
  return out;
}

/** The first requirement a started unit has lost (its name), or null. */
export function lostRequirement(rec: ServiceRecord, lookup: Lookup): string | null {
  for (const name of rec.unit.config.dependencies.requires) {
    const dep = lookup(name);
    if (!dep || !requirementMet(dep)) return name;
  }
  return null;
}

/**
 * The position in graph.dependentsOf(rec) of a dependent (any edge) still up and
 * going down too, or -1: `rec` stops only after them. The search goes backwards
 * from `from` (-1: from the last) and wraps around. Dependents are signalled in
 * about the order they are listed, so the last listed one still up is likely the
 * last to go: a unit waiting on it is not looked at again for every earlier exit.
 */
export function dependentStillUp(rec: ServiceRecord, graph: Graph, recordOf: DependentRecord, from = -1): number {
  const edges = graph.dependentsOf(rec.name);
  const n = edges.length;
  const start = from < 0 || from >= n ? n - 1 : from;
  for (let k = 0; k < n; k++) {
    const i = (start - k + n) % n;
    const edge = edges[i]!;
    const d = recordOf(i, edge.from);
    if (d !== undefined && isUpGoingDown(d, edge.type)) return i;
  }
  return -1;
}

/**
 * The record of the dependent at position `i` of graph.dependentsOf, named
 * `name`: the engine answers from an array by index where it can, since a stop
 * of 10 layers of 100 asks ~100,000 times.
 */
export type DependentRecord = (i: number, name: string) => ServiceRecord | undefined;

function isUpGoingDown(d: ServiceRecord, type: EdgeType): boolean {
  const up = d.state === "starting" || d.state === "running" || d.state === "stopping";
  return up && (d.desired === "down" || d.stopCause !== null || type === "requires");
}
