import { describe, expect, test } from "bun:test";
import type { Dependencies } from "../../../src/sdk/config/types.ts";
import { buildGraph, type EdgeType, type Graph } from "../../../src/sdk/graph/index.ts";
import { prng, service, shuffle } from "./nodes.ts";

const TYPES: EdgeType[] = ["requires", "after", "wants"];

/**
 * A random graph: `n` nodes with random names; an edge may only go from a later to
 * an earlier node of a hidden random order, so without `backEdges` it is a DAG
 * whatever the names.
 */
function randomGraph(seed: number, n: number, edges: number, backEdges = 0) {
  const random = prng(seed);
  const order = shuffle(
    Array.from({ length: n }, (_, i) => `n${i}`),
    random,
  );
  const deps = new Map<string, Dependencies>(order.map((name) => [name, { requires: [], after: [], wants: [], conflicts: [] }]));
  const add = (from: number, to: number) => {
    const type = TYPES[Math.floor(random() * 3)]!;
    deps.get(order[from]!)![type].push(order[to]!);
  };
  for (let k = 0; k < edges; k++) {
    const a = Math.floor(random() * n);
    const b = Math.floor(random() * n);
    if (a !== b) add(Math.max(a, b), Math.min(a, b));
  }
  // Each back edge closes a planted forward path of 0 to 3 steps, so every one of
  // them makes a cycle (a self-loop when the path is empty).
  for (let k = 0; k < backEdges; k++) {
    const length = Math.floor(random() * 4);
    const start = Math.floor(random() * (n - length));
    for (let i = start + length; i > start; i--) add(i, i - 1);
    add(start, start + length);
  }
  const nodes = shuffle(
    order.map((name) => service(name, deps.get(name))),
    random,
  );
  return { nodes, deps };
}

/** Brute force: does `v` reach itself through at least one edge? */
function onCycleSlow(g: Graph, v: string): boolean {
  const seen = new Set<string>();
  const stack = g.dependenciesOf(v).map((e) => e.to);
  while (stack.length > 0) {
    const w = stack.pop()!;
    if (w === v) return true;
    if (seen.has(w)) continue;
    seen.add(w);
    for (const e of g.dependenciesOf(w)) stack.push(e.to);
  }
  return false;
}

/** Every node once; every edge goes down a layer; each layer is sorted and as early as it can be. */
function checkLayers(g: Graph, expectedNames: string[]) {
  const layers = g.startLayers();
  const layerOf = new Map<string, number>();
  layers.forEach((layer, k) => {
    expect(layer).toEqual([...layer].sort());
    expect(layer.length).toBeGreaterThan(0);
    for (const name of layer) {
      expect(layerOf.has(name)).toBe(false);
      layerOf.set(name, k);
    }
  });
  expect([...layerOf.keys()].sort()).toEqual([...expectedNames].sort());
  for (const [name, k] of layerOf) {
    let deepest = -1;
    for (const e of g.dependenciesOf(name)) {
      const j = layerOf.get(e.to);
      if (j === undefined) continue; // a cycle member: ignored by design
      expect(j).toBeLessThan(k);
      deepest = Math.max(deepest, j);
    }
    expect(deepest).toBe(k - 1);
  }
  expect(g.stopLayers()).toEqual([...layers].reverse());
}

describe("random graphs", () => {
  // Property: on random DAGs the layering is a valid, tight, complete start order.
  for (const seed of [1, 2, 3, 42, 1234]) {
    test(`DAG of 500 nodes, seed ${seed}`, () => {
      const { nodes } = randomGraph(seed, 500, 2_000);
      const g = buildGraph(nodes);
      expect(g.cycles).toEqual([]);
      checkLayers(
        g,
        nodes.map((n) => n.name),
      );
    });
  }

  // Property: with back edges, exactly the nodes that reach themselves are on a cycle,
  // each reported path is real, and everything else is layered.
  for (const seed of [7, 8, 9, 10, 11, 12]) {
    test(`graph with cycles of 200 nodes, seed ${seed}`, () => {
      const { nodes } = randomGraph(seed, 200, 400, 5);
      const g = buildGraph(nodes);
      const members = new Set<string>();
      for (const c of g.cycles) {
        expect(c.path[0]).toBe(c.members[0]!);
        expect(c.path[c.path.length - 1]).toBe(c.path[0]!);
        expect(c.members).toEqual([...c.members].sort());
        const memberSet = new Set(c.members);
        for (let i = 0; i + 1 < c.path.length; i++) {
          expect(memberSet.has(c.path[i]!)).toBe(true);
          expect(g.dependenciesOf(c.path[i]!).some((e) => e.to === c.path[i + 1])).toBe(true);
        }
        for (const m of c.members) {
          expect(members.has(m)).toBe(false);
          members.add(m);
          expect(g.cycleOf(m)).toBe(c.path.join(" -> "));
        }
      }
      // some cycles, but not everything on them, or the layering would prove nothing
      expect(members.size).toBeGreaterThan(0);
      expect(members.size).toBeLessThan(150);
      for (const n of nodes) expect(members.has(n.name)).toBe(onCycleSlow(g, n.name));
      checkLayers(
        g,
        nodes.map((n) => n.name).filter((name) => !members.has(name)),
      );
    });
  }

  // The input order never changes an answer.
  test("input order does not matter", () => {
    const { nodes } = randomGraph(99, 300, 900, 4);
    const a = buildGraph(nodes);
    const b = buildGraph(shuffle(nodes, prng(100)));
    expect(b.names).toEqual(a.names);
    expect(b.cycles).toEqual(a.cycles);
    expect(b.startLayers()).toEqual(a.startLayers());
    for (const name of a.names) {
      expect(b.dependenciesOf(name)).toEqual(a.dependenciesOf(name));
      expect(b.dependentsOf(name)).toEqual(a.dependentsOf(name));
      expect(b.pullIn(name)).toEqual(a.pullIn(name));
    }
  });
});
