/**
 * The one walker over the graph, in the manner of s6-rc: every algorithm takes a
 * direction, so the same code serves start (follow dependencies) and stop (follow
 * dependents). It works on the indexed form built by `buildGraph`: node i is the
 * i-th name in code-unit order, so "sorted by name" is "sorted by index": layers
 * come out sorted by dealing nodes in index order, with no comparison sort.
 *
 * Everything here is linear in nodes + edges visited, and iterative: a chain of
 * 10,000 services must not exhaust the call stack.
 */
import type { Direction, EdgeType } from "./types.ts";

/** One direction of the edges, compressed: the neighbours of node i are nodes[offsets[i] .. offsets[i+1]). */
export interface Adjacency {
  offsets: Int32Array;
  nodes: Int32Array;
  /** the EdgeType bit of each edge (see EDGE_BIT) */
  types: Uint8Array;
}

/** Both directions of every edge, so a walk can go either way at the same cost. */
export interface IndexedGraph {
  size: number;
  dependencies: Adjacency;
  dependents: Adjacency;
}

/** Edge types as bits, so an edge filter is one mask test per edge. */
export const EDGE_BIT: Readonly<Record<EdgeType, number>> = { requires: 1, after: 2, wants: 4 };
/** Every ordering edge: what cycle detection and layering go by. */
export const ALL_EDGES = EDGE_BIT.requires | EDGE_BIT.after | EDGE_BIT.wants;

/** The mask letting through exactly `types`. */
export function edgeMask(types: readonly EdgeType[]): number {
  let mask = 0;
  for (const t of types) mask |= EDGE_BIT[t];
  return mask;
}

/**
 * Everything reachable from `starts` along `direction`, through edges whose type is
 * in `mask`; the starts themselves are left out (even when a cycle leads back to
 * them). Sorted by index, i.e. by name.
 */
export function reach(g: IndexedGraph, starts: readonly number[], direction: Direction, mask: number): number[] {
  const adj = g[direction];
  const seen = new Uint8Array(g.size);
  const stack: number[] = [];
  for (const s of starts) {
    if (!seen[s]) {
      seen[s] = 1;
      stack.push(s);
    }
  }
  const found: number[] = [];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let e = adj.offsets[v]!; e < adj.offsets[v + 1]!; e++) {
      if ((adj.types[e]! & mask) === 0) continue;
      const w = adj.nodes[e]!;
      if (seen[w]) continue;
      seen[w] = 1;
      found.push(w);
      stack.push(w);
    }
  }
  // The result is usually small next to the graph, so sort it rather than scan all nodes.
  return found.sort((a, b) => a - b);
}

/**
 * Parallel layers by Kahn's algorithm, readiness being a pending count like s6-rc:
 * a node is ready once every neighbour along `direction` (through `mask`) is placed.
 * Along "dependencies" that is start order: layer 0 has no dependencies, and every
 * edge goes from a later layer to an earlier one.
 *
 * Nodes with `excluded[i]` set are left out, and edges to them are ignored: a node
 * that depends on a cycle member is placed as if that edge were absent. The caller
 * excludes exactly the cycle members, so what remains is acyclic and every other
 * node is placed exactly once. (The engine, not the layering, keeps such a node
 * blocked behind its failed dependency.)
 *
 * Names inside a layer are sorted: nodes are dealt into layers in index order.
 */
export function layers(g: IndexedGraph, direction: Direction, mask: number, excluded: Uint8Array): number[][] {
  const adj = g[direction];
  // Readiness flows the other way: when v is placed, the nodes that wait on v
  // (its neighbours in the opposite direction) each have one less to wait for.
  const back = g[direction === "dependencies" ? "dependents" : "dependencies"];
  const n = g.size;
  const pending = new Int32Array(n);
  // -1 = never placed; only possible if `excluded` missed a cycle, and then the
  // node is left out rather than put in a wrong layer.
  const depth = new Int32Array(n).fill(-1);
  let ready: number[] = [];
  for (let v = 0; v < n; v++) {
    if (excluded[v]) continue;
    let count = 0;
    for (let e = adj.offsets[v]!; e < adj.offsets[v + 1]!; e++) {
      if ((adj.types[e]! & mask) !== 0 && !excluded[adj.nodes[e]!]) count++;
    }
    pending[v] = count;
    if (count === 0) ready.push(v);
  }
  let layerCount = 0;
  for (let level = 0; ready.length > 0; level++) {
    layerCount = level + 1;
    const next: number[] = [];
    for (const v of ready) {
      depth[v] = level;
      for (let e = back.offsets[v]!; e < back.offsets[v + 1]!; e++) {
        if ((back.types[e]! & mask) === 0) continue;
        const w = back.nodes[e]!;
        if (excluded[w]) continue;
        pending[w]!--;
        if (pending[w] === 0) next.push(w);
      }
    }
    ready = next;
  }
  const out: number[][] = [];
  for (let i = 0; i < layerCount; i++) out.push([]);
  for (let v = 0; v < n; v++) if (depth[v]! >= 0) out[depth[v]!]!.push(v);
  return out;
}
