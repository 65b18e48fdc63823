/**
 * Cycle detection, done once when the graph is built (as s6-rc's compiler does),
 * so the engine never has to re-check. Tarjan's strongly connected components,
 * written iteratively: a 10,000-service chain must not exhaust the call stack.
 *
 * Every member of a strongly connected component of more than one node, or of a
 * node that depends on itself, is on a cycle: no order can start it. Each such
 * component is reported once, with one concrete path through it for the error
 * message; its other members point at the same path. Nodes that merely depend on
 * a cycle member are not on a cycle.
 */
import { ALL_EDGES, type IndexedGraph } from "./walk.ts";

export interface IndexedCycle {
  /** the shortest cycle through the smallest member, that member first and last */
  path: number[];
  /** every node of the component, sorted */
  members: number[];
}

export interface IndexedCycles {
  /** per node: its position in `cycles`, or -1 */
  cycleOf: Int32Array;
  /** ordered by smallest member */
  cycles: IndexedCycle[];
}

/**
 * Finds the cycles over the edges whose type is in `mask` (by default all of
 * requires, after and wants: any of them constrains order).
 */
export function findCycles(g: IndexedGraph, mask: number = ALL_EDGES): IndexedCycles {
  const component = strongComponents(g, mask);
  const n = g.size;
  const { offsets, nodes, types } = g.dependencies;

  // A component is cyclic if it has two members or a self-loop; count sizes first.
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) size[component[v]!]!++;
  const cyclicComponent = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    const c = component[v]!;
    if (size[c]! > 1) {
      cyclicComponent[c] = 1;
      continue;
    }
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      if ((types[e]! & mask) !== 0 && nodes[e] === v) cyclicComponent[c] = 1;
    }
  }

  // Visiting nodes in index order makes the first one seen in each component its
  // smallest name, and fills each member list already sorted.
  const cycleOf = new Int32Array(n).fill(-1);
  const cycleOfComponent = new Int32Array(n).fill(-1);
  const cycles: IndexedCycle[] = [];
  const finder = new PathFinder(g, component, mask);
  for (let v = 0; v < n; v++) {
    const c = component[v]!;
    if (!cyclicComponent[c]) continue;
    let id = cycleOfComponent[c]!;
    if (id === -1) {
      id = cycles.length;
      cycleOfComponent[c] = id;
      cycles.push({ path: finder.cycleThrough(v), members: [] });
    }
    cycles[id]!.members.push(v);
    cycleOf[v] = id;
  }
  return { cycleOf, cycles };
}

/**
 * Tarjan's algorithm with explicit stacks. Returns a component id per node.
 * The call stack holds (node, next edge to try) in two typed arrays.
 */
function strongComponents(g: IndexedGraph, mask: number): Int32Array {
  const n = g.size;
  const { offsets, nodes, types } = g.dependencies;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  let sp = 0;
  let counter = 0;
  let components = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    callNode[0] = root;
    callEdge[0] = offsets[root]!;
    let csp = 1;
    while (csp > 0) {
      const v = callNode[csp - 1]!;
      const e = callEdge[csp - 1]!;
      if (e < offsets[v + 1]!) {
        callEdge[csp - 1] = e + 1;
        if ((types[e]! & mask) === 0) continue;
        const w = nodes[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[csp] = w;
          callEdge[csp] = offsets[w]!;
          csp++;
        } else if (onStack[w] && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      // All edges of v done: "return" to the caller.
      csp--;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== v);
        components++;
      }
      if (csp > 0) {
        const u = callNode[csp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  return component;
}

/**
 * Breadth-first search inside one component for the shortest way back to the
 * start. Edges are stored sorted by target, so the path found is deterministic.
 * The scratch arrays are shared across components and stamped per search, so all
 * searches together stay linear.
 */
class PathFinder {
  private readonly parent: Int32Array;
  private readonly stamp: Int32Array;
  private searches = 0;

  constructor(
    private readonly g: IndexedGraph,
    private readonly component: Int32Array,
    private readonly mask: number,
  ) {
    this.parent = new Int32Array(g.size);
    this.stamp = new Int32Array(g.size);
  }

  cycleThrough(start: number): number[] {
    const { offsets, nodes, types } = this.g.dependencies;
    const c = this.component[start]!;
    const mark = ++this.searches;
    this.stamp[start] = mark;
    const queue = [start];
    let last = -1;
    search: for (let head = 0; head < queue.length; head++) {
      const u = queue[head]!;
      for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
        if ((types[e]! & this.mask) === 0) continue;
        const w = nodes[e]!;
        if (w === start) {
          last = u;
          break search;
        }
        if (this.component[w] !== c || this.stamp[w] === mark) continue;
        this.stamp[w] = mark;
        this.parent[w] = u;
        queue.push(w);
      }
    }
    if (last === -1) throw new Error(`graph: node ${start} is not on a cycle`);
    const path = [start];
    for (let v = last; v !== start; v = this.parent[v]!) path.push(v);
    // Collected backwards from the end of the cycle: put it in edge order.
    path.push(start);
    path.reverse();
    return path;
  }
}
