/**
 * Reload planning, pure: from the units in force and a fresh load, decide what is
 * added, removed, changed (restarted or in place) and unchanged.
 *
 * Three rules keep a reload from taking running services down by accident:
 * - A file that failed to load keeps the definition in force under its name: a
 *   typo never stops a service.
 * - A directory that could not be listed is not read as "every file deleted": the
 *   whole reload is refused and nothing changes. Only a directory that is missing
 *   and provided no unit in force counts as empty (an optional system directory
 *   that does not exist must not block every reload).
 * - Files whose new definitions would close a new dependency cycle keep their
 *   previous definitions (a new file stays unloaded); the rest of the reload
 *   applies. Cycles already in force are left as they are.
 */
import type { LoadResult, Unit } from "../../sdk/config/types.ts";
import { formatIssue } from "../../sdk/config/types.ts";
import { buildGraph, type Graph } from "../../sdk/graph/index.ts";

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

/** A file whose new definition was not applied because it would close a cycle. */
export interface HeldBack {
  name: string;
  /** the new definition's file, as loaded */
  file: string;
  /** the cycle it would close, through `name`: ["b", "a", "b"] */
  cycle: string[];
  /** the definition kept in force, or undefined for a new file (it stays unloaded) */
  kept: Unit | undefined;
}

/** What the process is: a change here means a new process. */
function processIdentity(u: Unit): string {
  if (u.kind !== "service") return "target";
  const s = u.config.service;
  return JSON.stringify([s.exec, s.dir, s.env, s.env_file, s.user, s.group, s.oneshot]);
}

function sameUnit(a: Unit, b: Unit): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

function stemOf(file: string): string {
  const base = baseName(file);
  return base.endsWith(".toml") ? base.slice(0, -5) : base;
}

/** Whether `file` was read from directory `dir` (as loadDirectory names its files). */
/** Whether `file` (as the loader names it: DIR/NAME.toml) lies directly in `dir`. */
function inDirectory(file: string, dir: string): boolean {
  return normalizePath(parentOf(file)) === normalizePath(dir);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Drops empty and "." segments and folds "..", the way path.normalize does (pure, no node:path). */
function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out.at(-1) !== "..") out.pop();
    else if (seg !== ".." || !absolute) out.push(seg);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

export function planReload(current: readonly Unit[], loaded: LoadResult): ReloadPlan {
  const unreadable = loaded.unreadableDirs ?? [];
  const fatal = unreadable.filter((d) => d.code !== "ENOENT" || current.some((u) => inDirectory(u.file, d.dir)));
  if (fatal.length > 0) {
    const errors = fatal.map((d) => `${formatIssue(d.issue)}; nothing changed`);
    return { next: [...current], added: [], removed: [], changed: [], unchanged: current.map((u) => u.name), errors, refused: true };
  }
  // A missing directory that gave nothing is just empty: not worth an error on every reload.
  const emptyDirIssues = new Set(unreadable.map((d) => d.issue));
  const fileIssues = loaded.errors.filter((i) => !emptyDirIssues.has(i));

  const before = new Map(current.map((u) => [u.name, u]));
  const proposed = new Map(loaded.units.map((u) => [u.name, u]));
  // A broken file keeps its previous definition in force.
  for (const issue of fileIssues) {
    const name = stemOf(issue.file);
    const old = before.get(name);
    if (old && !proposed.has(name)) proposed.set(name, old);
  }
  const { units, held } = holdBackCycles(current, [...proposed.values()]);
  const after = new Map(units.map((u) => [u.name, u]));

  const errors = fileIssues.map(formatIssue);
  for (const h of held) {
    const outcome = h.kept ? "previous definition kept" : "not loaded";
    errors.push(`${baseName(h.file)}: would close a dependency cycle ${h.cycle.join(" -> ")}; ${outcome}`);
  }
  const plan: ReloadPlan = { next: [...after.values()], added: [], removed: [], changed: [], unchanged: [], errors, refused: false };
  for (const [name, unit] of after) {
    const old = before.get(name);
    if (!old) plan.added.push(unit);
    else if (sameUnit(old, unit)) plan.unchanged.push(name);
    else plan.changed.push({ unit, restart: old.kind !== unit.kind || processIdentity(old) !== processIdentity(unit) });
  }
  for (const name of before.keys()) if (!after.has(name)) plan.removed.push(name);
  return plan;
}

/**
 * Holds back the new definitions that would close a dependency cycle not already
 * in force. `proposed` is the unit set a reload would run with; the result is that
 * set with each held-back unit put back to its definition in `current` (or left
 * out, when it is new), and what was held back, by name.
 *
 * A cycle is new when one of its edges is: every edge inside a strongly connected
 * component lies on a cycle, so a component with no edge missing from the current
 * graph holds only cycles already in force. A new edge starts at a changed or new
 * unit, or ends at a new one (a reference that had nothing to point at); those
 * units of the component are held back. Holding back can leave another new cycle
 * (an old definition meeting a new one), so this repeats; every round holds back
 * at least one changed unit, so it ends. The outcome depends only on the units,
 * not on the order they were read in.
 */
export function holdBackCycles(current: readonly Unit[], proposed: readonly Unit[]): { units: Unit[]; held: HeldBack[] } {
  const before = new Map(current.map((u) => [u.name, u]));
  const units = new Map(proposed.map((u) => [u.name, u]));
  const pending = new Set<string>();
  for (const [name, unit] of units) {
    const old = before.get(name);
    if (!old || !sameUnit(old, unit)) pending.add(name);
  }
  const held: HeldBack[] = [];
  if (pending.size === 0) return { units: [...units.values()], held };

  let oldEdges: Set<string> | undefined;
  for (;;) {
    const graph = graphOf([...units.values()]);
    if (graph.cycles.length === 0) break;
    oldEdges ??= edgeSet(graphOf(current));
    const culprits: { name: string; cycle: string[] }[] = [];
    for (const cycle of graph.cycles) {
      const members = new Set(cycle.members);
      const isNewEdge = (from: string, to: string) => members.has(to) && !oldEdges!.has(edgeKey(from, to));
      if (!cycle.members.some((m) => graph.dependenciesOf(m).some((e) => isNewEdge(m, e.to)))) continue; // in force already
      for (const name of cycle.members) {
        if (!pending.has(name)) continue;
        const fresh = graph.dependenciesOf(name).filter((e) => isNewEdge(name, e.to));
        // A new unit closes the cycle through any edge; a changed one through a new edge of its own.
        const through = before.has(name) ? fresh : graph.dependenciesOf(name).filter((e) => members.has(e.to));
        if (through.length > 0) culprits.push({ name, cycle: shortestCycle(graph, name, through.map((e) => e.to), members) });
      }
    }
    if (culprits.length === 0) break;
    for (const { name, cycle } of culprits) {
      const unit = units.get(name)!;
      const kept = before.get(name);
      held.push({ name, file: unit.file, cycle, kept });
      if (kept) units.set(name, kept);
      else units.delete(name);
      pending.delete(name);
    }
  }
  held.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { units: [...units.values()], held };
}

function graphOf(units: readonly Unit[]): Graph {
  return buildGraph(units.map((u) => ({ name: u.name, kind: u.kind, dependencies: u.config.dependencies })));
}

function edgeKey(from: string, to: string): string {
  return `${from}\0${to}`;
}

/** Every dependency edge of the graph, whatever its type: any type constrains order. */
function edgeSet(graph: Graph): Set<string> {
  const out = new Set<string>();
  for (const name of graph.names) for (const e of graph.dependenciesOf(name)) out.add(edgeKey(e.from, e.to));
  return out;
}

/**
 * The shortest cycle that leaves `start` by an edge to one of `firsts` and comes
 * back, within `members` (one strongly connected component, so every first leads
 * back). Breadth-first over edges sorted by name: the same answer on every run.
 */
function shortestCycle(graph: Graph, start: string, firsts: readonly string[], members: ReadonlySet<string>): string[] {
  let best: string[] | undefined;
  for (const first of firsts) {
    if (first === start) return [start, start];
    const parent = new Map<string, string | null>([[first, null]]);
    const queue = [first];
    let last: string | undefined;
    search: for (let head = 0; head < queue.length; head++) {
      const v = queue[head]!;
      for (const e of graph.dependenciesOf(v)) {
        if (e.to === start) {
          last = v;
          break search;
        }
        if (!members.has(e.to) || parent.has(e.to)) continue;
        parent.set(e.to, v);
        queue.push(e.to);
      }
    }
    if (last === undefined) continue;
    const back: string[] = [];
    for (let v: string | null | undefined = last; v != null; v = parent.get(v)) back.push(v);
    const path = [start, ...back.reverse(), start];
    if (!best || path.length < best.length) best = path;
  }
  return best ?? [start, start];
}
