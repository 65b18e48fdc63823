import { describe, expect, test } from "bun:test";
import { buildGraph } from "../../../src/sdk/graph/index.ts";
import { service, target } from "./nodes.ts";

describe("buildGraph", () => {
  // Edges are stored both ways, sorted by the other end's name, whatever the input order.
  test("keeps every edge in both directions, sorted by name", () => {
    const g = buildGraph([
      service("web", { requires: ["db", "cache"], after: ["log"], wants: ["metrics"] }),
      service("metrics"),
      service("log"),
      service("db"),
      service("cache"),
      service("api", { requires: ["db"] }),
    ]);
    expect(g.names).toEqual(["api", "cache", "db", "log", "metrics", "web"]);
    expect(g.dependenciesOf("web")).toEqual([
      { from: "web", to: "cache", type: "requires" },
      { from: "web", to: "db", type: "requires" },
      { from: "web", to: "log", type: "after" },
      { from: "web", to: "metrics", type: "wants" },
    ]);
    expect(g.dependentsOf("db")).toEqual([
      { from: "api", to: "db", type: "requires" },
      { from: "web", to: "db", type: "requires" },
    ]);
    expect(g.dependenciesOf("db")).toEqual([]);
    expect(g.dependentsOf("web")).toEqual([]);
    expect(g.unknown).toEqual([]);
    expect(g.cycles).toEqual([]);
  });

  // The same edge twice is one edge; the same pair under two types is two edges.
  test("keeps a duplicate edge once, distinct types apart", () => {
    const g = buildGraph([
      service("a", { requires: ["b", "b"], after: ["b"], wants: ["c", "c"] }),
      service("b"),
      service("c"),
    ]);
    expect(g.dependenciesOf("a")).toEqual([
      { from: "a", to: "b", type: "requires" },
      { from: "a", to: "b", type: "after" },
      { from: "a", to: "c", type: "wants" },
    ]);
    expect(g.dependentsOf("b")).toEqual([
      { from: "a", to: "b", type: "requires" },
      { from: "a", to: "b", type: "after" },
    ]);
  });

  // An unknown name makes no edge and is reported once per (from, to, type).
  test("reports unknown references with their type and makes no edge", () => {
    const g = buildGraph([
      service("a", { requires: ["ghost", "b", "ghost"], after: ["gone"], wants: ["ghost"], conflicts: ["nobody"] }),
      service("b", { after: ["gone"] }),
    ]);
    expect(g.unknown).toEqual([
      { from: "a", to: "ghost", type: "requires" },
      { from: "a", to: "gone", type: "after" },
      { from: "a", to: "ghost", type: "wants" },
      { from: "a", to: "nobody", type: "conflicts" },
      { from: "b", to: "gone", type: "after" },
    ]);
    expect(g.dependenciesOf("a")).toEqual([{ from: "a", to: "b", type: "requires" }]);
    expect(g.has("ghost")).toBe(false);
    expect(g.dependentsOf("ghost")).toEqual([]);
    expect(g.conflictsOf("a")).toEqual([]);
    expect(g.startLayers()).toEqual([["b"], ["a"]]);
  });

  // A target is a node like any other: its members are its requires and wants.
  test("target members are edges", () => {
    const g = buildGraph([
      target("multi-user", { requires: ["web"], wants: ["cron"] }),
      service("web", { requires: ["db"] }),
      service("db"),
      service("cron"),
    ]);
    expect(g.kindOf("multi-user")).toBe("target");
    expect(g.kindOf("web")).toBe("service");
    expect(g.kindOf("nope")).toBeUndefined();
    expect(g.dependenciesOf("multi-user")).toEqual([
      { from: "multi-user", to: "cron", type: "wants" },
      { from: "multi-user", to: "web", type: "requires" },
    ]);
    expect(g.startLayers()).toEqual([["cron", "db"], ["web"], ["multi-user"]]);
    expect(g.pullIn("multi-user")).toEqual(["cron", "db", "web"]);
    expect(g.mustStopBefore("db")).toEqual(["multi-user", "web"]);
  });

  // Conflicts are symmetric, listed once, sorted; a self-conflict means nothing.
  test("conflicts are symmetric", () => {
    const g = buildGraph([
      service("a", { conflicts: ["b", "c", "a"] }),
      service("b", { conflicts: ["a"] }),
      service("c"),
      service("d", { conflicts: ["c"] }),
    ]);
    expect(g.conflictsOf("a")).toEqual(["b", "c"]);
    expect(g.conflictsOf("b")).toEqual(["a"]);
    expect(g.conflictsOf("c")).toEqual(["a", "d"]);
    expect(g.conflictsOf("d")).toEqual(["c"]);
    expect(g.conflictsOf("zzz")).toEqual([]);
    // conflicts order nothing
    expect(g.startLayers()).toEqual([["a", "b", "c", "d"]]);
    expect(g.unknown).toEqual([]);
  });

  // Two units with one name are a loader bug, not a user error the graph can report.
  test("throws on a duplicate name", () => {
    expect(() => buildGraph([service("a"), service("a")])).toThrow('graph: duplicate name "a"');
  });

  test("an empty graph has no layers", () => {
    const g = buildGraph([]);
    expect(g.names).toEqual([]);
    expect(g.startLayers()).toEqual([]);
    expect(g.stopLayers()).toEqual([]);
    expect(g.cycles).toEqual([]);
  });

  // What the graph hands out cannot be changed behind its back.
  test("results are frozen", () => {
    const g = buildGraph([service("a", { requires: ["b"] }), service("b")]);
    expect(Object.isFrozen(g.names)).toBe(true);
    expect(Object.isFrozen(g.dependenciesOf("a"))).toBe(true);
    expect(Object.isFrozen(g.dependenciesOf("a")[0])).toBe(true);
    expect(Object.isFrozen(g.unknown)).toBe(true);
    expect(Object.isFrozen(g.cycles)).toBe(true);
    expect(Object.isFrozen(g.conflictsOf("a"))).toBe(true);
    // one object per edge, whichever side it is asked from
    expect(g.dependentsOf("b")[0]).toBe(g.dependenciesOf("a")[0]!);
  });
});
