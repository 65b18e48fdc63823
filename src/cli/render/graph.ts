/**
 * `zinit graph`: the dependency graph as an indented tree (each service above what
 * it depends on) or as Graphviz dot with one edge style per dependency type.
 */
import type { GraphEdge, GraphResult } from "../../sdk/protocol/types.ts";
import { paint, stateColor } from "./color.ts";

export interface GraphTreeOptions {
  color: boolean;
  /** start the tree here instead of at every service nothing depends on */
  root?: string;
}

/** The dependency edges that order starts; conflicts are shown but never descended into. */
const ORDERING = new Set(["requires", "after", "wants"]);

export function renderGraphTree(g: GraphResult, opts: GraphTreeOptions): string {
  const p = paint(opts.color);
  const state = new Map(g.nodes.map((n) => [n.name, n.state as string]));
  const kind = new Map(g.nodes.map((n) => [n.name, n.kind]));
  const children = new Map<string, { type: string; to: string }[]>();
  const add = (from: string, type: string, to: string) => {
    const list = children.get(from) ?? [];
    if (!list.some((c) => c.type === type && c.to === to)) list.push({ type, to });
    children.set(from, list);
  };
  for (const e of g.edges) add(e.from, e.type, e.to);
  for (const u of g.unknown) add(u.from, u.type, u.to);
  for (const list of children.values()) list.sort(byTypeThenName);

  const label = (name: string): string => {
    const s = state.get(name);
    const shown = kind.get(name) === "target" ? p.bold(name) : name;
    if (s === undefined) return `${shown} ${p.red("(unknown)")}`;
    return `${shown} (${stateColor(s, p)(s)})`;
  };

  const lines: string[] = [];
  const expanded = new Set<string>();
  const walk = (name: string, prefix: string, path: Set<string>) => {
    const kids = children.get(name) ?? [];
    kids.forEach((child, i) => {
      const last = i === kids.length - 1;
      const branch = last ? "└── " : "├── ";
      let line = `${prefix}${branch}${p.dim(child.type)} ${label(child.to)}`;
      const descend = ORDERING.has(child.type) && state.has(child.to);
      if (descend && path.has(child.to)) line += ` ${p.red("(cycle)")}`;
      else if (descend && expanded.has(child.to) && (children.get(child.to)?.length ?? 0) > 0) line += p.dim(" (see above)");
      lines.push(line);
      if (descend && !path.has(child.to) && !expanded.has(child.to)) {
        expanded.add(child.to);
        path.add(child.to);
        walk(child.to, prefix + (last ? "    " : "│   "), path);
        path.delete(child.to);
      }
    });
  };

  const roots = opts.root !== undefined ? [opts.root] : rootsOf(g);
  const emit = (root: string) => {
    lines.push(label(root));
    expanded.add(root);
    walk(root, "", new Set([root]));
  };
  for (const r of roots) emit(r);
  // Services reachable from no root (only possible on a cycle) still get printed.
  if (opts.root === undefined) {
    for (const n of [...g.nodes].sort(byName)) {
      if (!expanded.has(n.name)) emit(n.name);
    }
  }
  for (const c of g.cycles) lines.push(`${p.red("cycle:")} ${c}`);
  return lines.join("\n");
}

/** Services that nothing depends on (through requires, after or wants), by name. */
function rootsOf(g: GraphResult): string[] {
  const dependedOn = new Set(g.edges.filter((e) => ORDERING.has(e.type)).map((e) => e.to));
  return g.nodes
    .map((n) => n.name)
    .filter((n) => !dependedOn.has(n))
    .sort();
}

export interface DotOptions {
  /** the graph's name in the dot output */
  title?: string;
}

/** Edge styles per type: requires solid, after dashed, wants dotted, conflicts red and undirected. */
export const DOT_EDGE_STYLE: Record<GraphEdge["type"], string> = {
  requires: "style=solid",
  after: "style=dashed",
  wants: "style=dotted",
  conflicts: 'style=bold, color="red", dir=none',
};

const DOT_STATE_COLOR: Record<string, string> = {
  running: "darkgreen",
  starting: "orange",
  stopping: "orange",
  blocked: "orange",
  failed: "red",
  inactive: "gray50",
  exited: "gray50",
};

export function renderGraphDot(g: GraphResult, opts: DotOptions = {}): string {
  const out: string[] = [];
  out.push(`digraph ${q(opts.title ?? "zinit")} {`);
  out.push("  rankdir=LR;");
  out.push('  node [shape=box, fontname="sans-serif"];');
  for (const n of [...g.nodes].sort(byName)) {
    const attrs = [`label=${q(`${n.name}\n${n.state}`)}`, `color=${q(DOT_STATE_COLOR[n.state] ?? "black")}`];
    if (n.kind === "target") attrs.push("shape=ellipse");
    out.push(`  ${q(n.name)} [${attrs.join(", ")}];`);
  }
  const known = new Set(g.nodes.map((n) => n.name));
  const missing = [...new Set(g.unknown.map((u) => u.to))].filter((n) => !known.has(n)).sort();
  for (const name of missing) {
    out.push(`  ${q(name)} [label=${q(`${name}\nunknown`)}, style=dashed, color="red"];`);
  }
  const onCycle = cycleEdges(g.cycles);
  const seenConflict = new Set<string>();
  const edges = [...g.edges, ...g.unknown.map((u) => ({ ...u, type: u.type as GraphEdge["type"] }))];
  for (const e of edges) {
    if (e.type === "conflicts") {
      const key = [e.from, e.to].sort().join("\u0000");
      if (seenConflict.has(key)) continue;
      seenConflict.add(key);
    }
    let style = DOT_EDGE_STYLE[e.type] ?? "style=solid";
    if (e.type !== "conflicts" && onCycle.has(`${e.from}\u0000${e.to}`)) style += ', color="red"';
    out.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(e.type)}, ${style}];`);
  }
  out.push("}");
  return out.join("\n");
}

/** "a -> b -> a" as the set of its edges a->b, b->a. */
function cycleEdges(cycles: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (const c of cycles) {
    const names = c.split(" -> ");
    for (let i = 0; i + 1 < names.length; i++) set.add(`${names[i]}\u0000${names[i + 1]}`);
  }
  return set;
}

/** A dot ID: always double-quoted, with quotes, backslashes and newlines escaped. */
function q(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

const TYPE_ORDER: Record<string, number> = { requires: 0, wants: 1, after: 2, conflicts: 3 };

function byTypeThenName(a: { type: string; to: string }, b: { type: string; to: string }): number {
  const t = (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9);
  return t !== 0 ? t : a.to < b.to ? -1 : a.to > b.to ? 1 : 0;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

