/**
 * Builds the immutable graph from the units' dependency lists, once per load or
 * reload. Cycles are found here, so the engine never looks for them.
 *
 * Model: node i is the i-th name in code-unit order, and edge e is the e-th
 * reference kept. Both directions are laid out by stable counting sorts, so each
 * node's edges come out sorted by the other end's name without a comparison sort;
 * every answer (layers, cycle paths, walks) is therefore the same whatever order
 * the units were read in. Targets are nodes like services; their members are
 * just their requires and wants.
 *
 * Building is linear in nodes + references, except the one sort of the names.
 * The Edge objects the public API hands out are made (and frozen) on first ask,
 * since the engine needs few of them and a reload should not pay for all.
 */
import type { UnitKind } from "../config/types.ts";
import { findCycles, type IndexedCycles } from "./cycles.ts";
import type { Cycle, Direction, Edge, EdgeType, Graph, GraphNodeInput, UnknownReference } from "./types.ts";
import { ALL_EDGES, EDGE_BIT, edgeMask, layers, reach, type Adjacency, type IndexedGraph } from "./walk.ts";

const EDGE_TYPES: readonly EdgeType[] = ["requires", "after", "wants"];
const PULL_IN = edgeMask(["requires", "wants"]);
const STOP_FIRST = EDGE_BIT.requires;
const NO_EDGES: readonly Edge[] = Object.freeze([]);
const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * Builds the graph of `nodes` (services and targets). References to names not in
 * `nodes` make no edge and are listed in `unknown`; the same edge given twice is
 * kept once; `a requires a` is the cycle `a -> a`. A conflict with oneself means
 * nothing and is dropped. Two nodes with one name are a bug upstream and throw.
 */
export function buildGraph(nodes: readonly GraphNodeInput[]): Graph {
  const n = nodes.length;
  const names = nodes.map((node) => node.name).sort();
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (i > 0 && names[i] === names[i - 1]) throw new Error(`graph: duplicate name ${JSON.stringify(names[i])}`);
    index.set(names[i]!, i);
  }
  const byIndex = new Array<GraphNodeInput>(n);
  for (const node of nodes) byIndex[index.get(node.name)!] = node;

  let references = 0;
  for (const node of nodes) {
    const d = node.dependencies;
    references += d.requires.length + d.after.length + d.wants.length;
  }
  const edgeFrom = new Int32Array(references);
  const edgeTo = new Int32Array(references);
  const edgeType = new Uint8Array(references);
  // Edges are made grouped by `from`, so "already have from -> to of this type"
  // is a stamp per (to, type) holding the last `from` that made it: no hashing.
  const made = new Int32Array(n * 3).fill(-1);
  const conflictA: number[] = [];
  const conflictB: number[] = [];
  const unknown: UnknownReference[] = [];
  const seenUnknown = new Set<string>();
  const noteUnknown = (from: string, to: string, type: UnknownReference["type"]): void => {
    const key = `${from}\0${type}\0${to}`;
    if (seenUnknown.has(key)) return;
    seenUnknown.add(key);
    unknown.push({ from, to, type });
  };

  let m = 0;
  for (let from = 0; from < n; from++) {
    const deps = byIndex[from]!.dependencies;
    for (let code = 0; code < 3; code++) {
      const type = EDGE_TYPES[code]!;
      for (const toName of deps[type]) {
        const to = index.get(toName);
        if (to === undefined) {
          noteUnknown(names[from]!, toName, type);
          continue;
        }
        if (made[to * 3 + code] === from) continue;
        made[to * 3 + code] = from;
        edgeFrom[m] = from;
        edgeTo[m] = to;
        edgeType[m] = EDGE_BIT[type];
        m++;
      }
    }
    for (const toName of deps.conflicts) {
      const to = index.get(toName);
      if (to === undefined) noteUnknown(names[from]!, toName, "conflicts");
      else if (to !== from) {
        conflictA.push(from, to);
        conflictB.push(to, from);
      }
    }
  }

  // Edge ids are in `from` order; grouping them by `to` keeps that order within
  // each group, and grouping that result by `from` sorts each group by `to`.
  const incoming = groupBy(identity(m), edgeTo, n);
  const outgoing = groupBy(incoming.items, edgeFrom, n);
  const conflicts = conflictLists(conflictA, conflictB, n);

  const indexed: IndexedGraph = {
    size: n,
    dependencies: adjacency(outgoing, edgeTo, edgeType),
    dependents: adjacency(incoming, edgeFrom, edgeType),
  };
  const found = findCycles(indexed, ALL_EDGES);
  return new BuiltGraph({
    names,
    index,
    kinds: byIndex.map((node) => node.kind),
    indexed,
    outgoing,
    incoming,
    edgeFrom: edgeFrom.subarray(0, m),
    edgeTo: edgeTo.subarray(0, m),
    edgeType: edgeType.subarray(0, m),
    conflicts,
    unknown,
    found,
  });
}

/** Items grouped by key; offsets[k] .. offsets[k+1] are the items with key k. */
interface Groups {
  offsets: Int32Array;
  items: Int32Array;
}

function identity(m: number): Int32Array {
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = i;
  return out;
}

/** A stable counting sort of `items` by `keyOf[item]`, keys in 0 .. n-1. */
function groupBy(items: Int32Array, keyOf: Int32Array | readonly number[], n: number): Groups {
  const offsets = new Int32Array(n + 1);
  for (const item of items) offsets[keyOf[item]! + 1]!++;
  for (let k = 0; k < n; k++) offsets[k + 1]! += offsets[k]!;
  const next = offsets.slice(0, n);
  const out = new Int32Array(items.length);
  for (const item of items) out[next[keyOf[item]!]!++] = item;
  return { offsets, items: out };
}

function adjacency(groups: Groups, otherEnd: Int32Array, type: Uint8Array): Adjacency {
  const nodes = new Int32Array(groups.items.length);
  const types = new Uint8Array(groups.items.length);
  for (let i = 0; i < groups.items.length; i++) {
    const e = groups.items[i]!;
    nodes[i] = otherEnd[e]!;
    types[i] = type[e]!;
  }
  return { offsets: groups.offsets, nodes, types };
}

/** Both directions of every conflict, grouped by one end, sorted and without repeats. */
function conflictLists(a: number[], b: number[], n: number): Groups {
  const byB = groupBy(identity(a.length), b, n);
  const byA = groupBy(byB.items, a, n);
  const offsets = new Int32Array(n + 1);
  const items: number[] = [];
  for (let v = 0; v < n; v++) {
    offsets[v] = items.length;
    let last = -1;
    for (let i = byA.offsets[v]!; i < byA.offsets[v + 1]!; i++) {
      const w = b[byA.items[i]!]!;
      if (w !== last) items.push(w);
      last = w;
    }
  }
  offsets[n] = items.length;
  return { offsets, items: new Int32Array(items) };
}

/** What buildGraph computed, handed to the graph whole. */
interface Parts {
  names: string[];
  index: ReadonlyMap<string, number>;
  kinds: UnitKind[];
  indexed: IndexedGraph;
  /** edge ids grouped by `from`, sorted by `to` within */
  outgoing: Groups;
  /** edge ids grouped by `to`, sorted by `from` within */
  incoming: Groups;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edgeType: Uint8Array;
  conflicts: Groups;
  unknown: UnknownReference[];
  found: IndexedCycles;
}

class BuiltGraph implements Graph {
  readonly names: readonly string[];
  readonly unknown: readonly UnknownReference[];
  readonly cycles: readonly Cycle[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly cycleText: readonly string[];
  /** cycle members: left out of the layers */
  private readonly onCycle: Uint8Array;
  private readonly edges: (Edge | undefined)[];
  private readonly dependencyCache: (readonly Edge[] | undefined)[];
  private readonly dependentCache: (readonly Edge[] | undefined)[];
  private readonly conflictCache: (readonly string[] | undefined)[];

  constructor(private readonly parts: Parts) {
    const { names, found } = parts;
    const n = names.length;
    this.names = Object.freeze(names);
    this.index = parts.index;
    this.unknown = Object.freeze(parts.unknown.map((u) => Object.freeze(u)));
    const toNames = (ids: number[]): string[] => ids.map((i) => names[i]!);
    this.cycles = Object.freeze(
      found.cycles.map((c) => Object.freeze({ path: toNames(c.path), members: toNames(c.members) })),
    );
    this.cycleText = this.cycles.map((c) => c.path.join(" -> "));
    this.onCycle = new Uint8Array(n);
    for (let v = 0; v < n; v++) if (found.cycleOf[v] !== -1) this.onCycle[v] = 1;
    this.edges = new Array(parts.edgeFrom.length);
    this.dependencyCache = new Array(n);
    this.dependentCache = new Array(n);
    this.conflictCache = new Array(n);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  kindOf(name: string): UnitKind | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : this.parts.kinds[i];
  }

  dependenciesOf(name: string): readonly Edge[] {
    return this.edgeList(name, this.parts.outgoing, this.dependencyCache);
  }

  dependentsOf(name: string): readonly Edge[] {
    return this.edgeList(name, this.parts.incoming, this.dependentCache);
  }

  conflictsOf(name: string): readonly string[] {
    const v = this.index.get(name);
    if (v === undefined) return NO_NAMES;
    let list = this.conflictCache[v];
    if (list === undefined) {
      const { offsets, items } = this.parts.conflicts;
      const from = offsets[v]!;
      const to = offsets[v + 1]!;
      if (from === to) return NO_NAMES;
      const names: string[] = [];
      for (let i = from; i < to; i++) names.push(this.names[items[i]!]!);
      list = this.conflictCache[v] = Object.freeze(names);
    }
    return list;
  }

  cycleOf(name: string): string | undefined {
    const i = this.index.get(name);
    if (i === undefined) return undefined;
    const id = this.parts.found.cycleOf[i]!;
    return id === -1 ? undefined : this.cycleText[id];
  }

  startLayers(): string[][] {
    const order = layers(this.parts.indexed, "dependencies", ALL_EDGES, this.onCycle);
    return order.map((layer) => layer.map((i) => this.names[i]!));
  }

  stopLayers(): string[][] {
    return this.startLayers().reverse();
  }

  pullIn(name: string): string[] {
    return this.walk([name], "dependencies", PULL_IN);
  }

  mustStopBefore(name: string): string[] {
    return this.walk([name], "dependents", STOP_FIRST);
  }

  reach(from: string | readonly string[], direction: Direction, types: readonly EdgeType[]): string[] {
    return this.walk(typeof from === "string" ? [from] : from, direction, edgeMask(types));
  }

  private walk(from: readonly string[], direction: Direction, mask: number): string[] {
    const starts: number[] = [];
    for (const name of from) {
      const i = this.index.get(name);
      if (i !== undefined) starts.push(i);
    }
    return reach(this.parts.indexed, starts, direction, mask).map((i) => this.names[i]!);
  }

  private edgeList(name: string, groups: Groups, cache: (readonly Edge[] | undefined)[]): readonly Edge[] {
    const v = this.index.get(name);
    if (v === undefined) return NO_EDGES;
    let list = cache[v];
    if (list === undefined) {
      // Most units have no edges of a kind: they share one empty list rather than caching their own.
      const from = groups.offsets[v]!;
      const to = groups.offsets[v + 1]!;
      if (from === to) return NO_EDGES;
      const edges: Edge[] = [];
      for (let i = from; i < to; i++) edges.push(this.edge(groups.items[i]!));
      list = cache[v] = Object.freeze(edges);
    }
    return list;
  }

  /** One frozen object per edge, shared by both directions. */
  private edge(e: number): Edge {
    let edge = this.edges[e];
    if (edge === undefined) {
      const { edgeFrom, edgeTo, edgeType } = this.parts;
      const bit = edgeType[e]!;
      const type: EdgeType = bit === EDGE_BIT.requires ? "requires" : bit === EDGE_BIT.after ? "after" : "wants";
      edge = this.edges[e] = Object.freeze({ from: this.names[edgeFrom[e]!]!, to: this.names[edgeTo[e]!]!, type });
    }
    return edge;
  }
}
