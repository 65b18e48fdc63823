import { describe, expect, test } from "bun:test";
import { buildGraph } from "../../../src/sdk/graph/index.ts";
import { service } from "./nodes.ts";

describe("cycles", () => {
  // `a requires a` is a cycle of one; what depends on it is layered as if the edge were absent.
  test("self-loop", () => {
    const g = buildGraph([service("a", { requires: ["a"] }), service("b", { requires: ["a"] })]);
    expect(g.cycles).toEqual([{ path: ["a", "a"], members: ["a"] }]);
    expect(g.cycleOf("a")).toBe("a -> a");
    expect(g.cycleOf("b")).toBeUndefined();
    expect(g.startLayers()).toEqual([["b"]]);
  });

  // `after` alone is enough to make ordering impossible.
  test("two-cycle through after", () => {
    const g = buildGraph([service("b", { after: ["a"] }), service("a", { after: ["b"] })]);
    expect(g.cycles).toEqual([{ path: ["a", "b", "a"], members: ["a", "b"] }]);
    expect(g.cycleOf("a")).toBe("a -> b -> a");
    expect(g.cycleOf("b")).toBe("a -> b -> a");
    expect(g.startLayers()).toEqual([]);
  });

  // The path starts from the smallest name and follows the edges, whatever the input order.
  test("long cycle of ten, mixed edge types", () => {
    const ring = ["j", "c", "h", "a", "f", "b", "i", "e", "g", "d"];
    const nodes = ring.map((name, i) => {
      const next = ring[(i + 1) % ring.length]!;
      return service(name, i % 3 === 0 ? { requires: [next] } : i % 3 === 1 ? { after: [next] } : { wants: [next] });
    });
    const g = buildGraph(nodes.reverse());
    const path = ["a", "f", "b", "i", "e", "g", "d", "j", "c", "h", "a"];
    expect(g.cycles).toEqual([{ path, members: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] }]);
    for (const name of ring) expect(g.cycleOf(name)).toBe(path.join(" -> "));
  });

  // Only members are marked; dependents and dependencies of a cycle are layered normally.
  test("cycle among unrelated services", () => {
    const g = buildGraph([
      service("x", { wants: ["y"], requires: ["base"] }),
      service("y", { requires: ["x"] }),
      service("app", { requires: ["x", "db"] }),
      service("db"),
      service("web", { requires: ["db"] }),
      service("base"),
    ]);
    expect(g.cycles).toEqual([{ path: ["x", "y", "x"], members: ["x", "y"] }]);
    for (const name of ["app", "db", "web", "base"]) expect(g.cycleOf(name)).toBeUndefined();
    expect(g.startLayers()).toEqual([["base", "db"], ["app", "web"]]);
    expect(g.stopLayers()).toEqual([["app", "web"], ["base", "db"]]);
  });

  // A component larger than the reported path: every member is marked with that path.
  test("all members of a component are marked, even off the path", () => {
    const g = buildGraph([
      service("a", { requires: ["b"] }),
      service("b", { requires: ["a", "c"] }),
      service("c", { requires: ["d"] }),
      service("d", { requires: ["b"] }),
    ]);
    expect(g.cycles).toEqual([{ path: ["a", "b", "a"], members: ["a", "b", "c", "d"] }]);
    expect(g.cycleOf("d")).toBe("a -> b -> a");
  });

  // The path is the shortest way back to the smallest member, ties going to smaller names.
  test("shortest path back, smallest names first", () => {
    const g = buildGraph([
      service("a", { requires: ["m", "c"] }),
      service("c", { requires: ["d"] }),
      service("d", { requires: ["e"] }),
      service("e", { requires: ["a"] }),
      service("m", { requires: ["z", "n"] }),
      service("n", { requires: ["a"] }),
      service("z", { requires: ["a"] }),
    ]);
    expect(g.cycles).toEqual([{ path: ["a", "m", "n", "a"], members: ["a", "c", "d", "e", "m", "n", "z"] }]);
  });

  // Separate cycles are reported separately, ordered by their smallest name.
  test("two separate cycles", () => {
    const g = buildGraph([
      service("q", { requires: ["p"] }),
      service("p", { requires: ["q"] }),
      service("c", { wants: ["b"] }),
      service("b", { after: ["c"] }),
      service("ok", { requires: ["p", "b"] }),
      service("also-ok"),
    ]);
    expect(g.cycles).toEqual([
      { path: ["b", "c", "b"], members: ["b", "c"] },
      { path: ["p", "q", "p"], members: ["p", "q"] },
    ]);
    expect(g.cycleOf("c")).toBe("b -> c -> b");
    expect(g.cycleOf("q")).toBe("p -> q -> p");
    expect(g.cycleOf("ok")).toBeUndefined();
    expect(g.startLayers()).toEqual([["also-ok", "ok"]]);
  });

  // A cycle through a conflict is not a cycle: conflicts order nothing.
  test("conflicts never make a cycle", () => {
    const g = buildGraph([service("a", { requires: ["b"], conflicts: ["b"] }), service("b")]);
    expect(g.cycles).toEqual([]);
    expect(g.startLayers()).toEqual([["b"], ["a"]]);
  });

  test("cycleOf an unknown name is undefined", () => {
    expect(buildGraph([]).cycleOf("x")).toBeUndefined();
  });
});
