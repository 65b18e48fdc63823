import { describe, expect, test } from "bun:test";
import { buildGraph } from "../../../src/sdk/graph/index.ts";
import { service } from "./nodes.ts";

describe("layers", () => {
  // The diamond: d first, then b and c together, then a; shutdown the other way round.
  test("diamond", () => {
    const g = buildGraph([
      service("a", { requires: ["b", "c"] }),
      service("b", { requires: ["d"] }),
      service("c", { after: ["d"] }),
      service("d"),
    ]);
    expect(g.startLayers()).toEqual([["d"], ["b", "c"], ["a"]]);
    expect(g.stopLayers()).toEqual([["a"], ["b", "c"], ["d"]]);
  });

  // A node's layer is its longest path to a root, so a shortcut edge does not pull it earlier.
  test("longest path decides the layer", () => {
    const g = buildGraph([
      service("top", { requires: ["mid", "bottom"] }),
      service("mid", { wants: ["bottom"] }),
      service("bottom"),
      service("alone"),
    ]);
    expect(g.startLayers()).toEqual([["alone", "bottom"], ["mid"], ["top"]]);
  });

  // database <- app <- worker starts database, app, worker and stops the reverse.
  test("the ordered-shutdown example of docs/architecture.md", () => {
    const g = buildGraph([
      service("worker", { requires: ["app"] }),
      service("app", { requires: ["database"] }),
      service("database"),
    ]);
    expect(g.startLayers()).toEqual([["database"], ["app"], ["worker"]]);
    expect(g.stopLayers()).toEqual([["worker"], ["app"], ["database"]]);
  });
});

describe("walks", () => {
  const g = buildGraph([
    service("app", { requires: ["db"], wants: ["cache"], after: ["log"] }),
    service("db", { requires: ["disk"], after: ["net"] }),
    service("cache", { wants: ["mem"] }),
    service("disk"),
    service("net"),
    service("log"),
    service("mem"),
    service("worker", { requires: ["app"] }),
    service("report", { wants: ["app"] }),
    service("audit", { after: ["db"] }),
    service("backup", { requires: ["disk"] }),
  ]);

  // Starting pulls in requires and wants, transitively, but never an `after`.
  test("pullIn follows requires and wants, not after", () => {
    expect(g.pullIn("app")).toEqual(["cache", "db", "disk", "mem"]);
    expect(g.pullIn("worker")).toEqual(["app", "cache", "db", "disk", "mem"]);
    expect(g.pullIn("audit")).toEqual([]);
    expect(g.pullIn("disk")).toEqual([]);
    expect(g.pullIn("nope")).toEqual([]);
  });

  // Stopping disk stops what requires it, transitively; wants and after dependents stay.
  test("mustStopBefore follows requires only, transitively", () => {
    expect(g.mustStopBefore("disk")).toEqual(["app", "backup", "db", "worker"]);
    expect(g.mustStopBefore("app")).toEqual(["worker"]);
    expect(g.mustStopBefore("cache")).toEqual([]);
    expect(g.mustStopBefore("net")).toEqual([]);
    expect(g.mustStopBefore("nope")).toEqual([]);
  });

  // The generic walker: several starts, any direction, any edge types; starts left out.
  test("reach", () => {
    expect(g.reach(["db", "cache"], "dependencies", ["requires", "after", "wants"])).toEqual(["disk", "mem", "net"]);
    expect(g.reach("db", "dependents", ["after"])).toEqual(["audit"]);
    expect(g.reach("db", "dependents", ["requires", "wants"])).toEqual(["app", "report", "worker"]);
    expect(g.reach(["app", "db"], "dependencies", ["requires"])).toEqual(["disk"]);
    expect(g.reach(["ghost"], "dependencies", ["requires"])).toEqual([]);
  });

  // A walk through a cycle terminates and leaves the start out.
  test("walks through a cycle", () => {
    const c = buildGraph([
      service("a", { requires: ["b"] }),
      service("b", { requires: ["c"] }),
      service("c", { requires: ["a", "d"] }),
      service("d"),
    ]);
    expect(c.pullIn("a")).toEqual(["b", "c", "d"]);
    expect(c.mustStopBefore("a")).toEqual(["b", "c"]);
    expect(c.mustStopBefore("d")).toEqual(["a", "b", "c"]);
  });
});

describe("deep chain of 10,000", () => {
  const N = 10_000;
  const name = (i: number) => `s${String(i).padStart(5, "0")}`;

  // Everything is iterative: no stack overflow, and one node per layer.
  test("acyclic chain", () => {
    const nodes = [];
    for (let i = 0; i < N; i++) nodes.push(service(name(i), i + 1 < N ? { requires: [name(i + 1)] } : {}));
    const g = buildGraph(nodes);
    expect(g.cycles).toEqual([]);
    const layers = g.startLayers();
    expect(layers.length).toBe(N);
    for (let k = 0; k < N; k++) expect(layers[k]).toEqual([name(N - 1 - k)]);
    const pulled = g.pullIn(name(0));
    expect(pulled.length).toBe(N - 1);
    expect(pulled[0]).toBe(name(1));
    expect(pulled[N - 2]).toBe(name(N - 1));
    expect(g.mustStopBefore(name(N - 1)).length).toBe(N - 1);
  });

  // Closing the chain makes one cycle of 10,000 and leaves nothing to layer.
  test("closed chain", () => {
    const nodes = [];
    for (let i = 0; i < N; i++) nodes.push(service(name(i), { requires: [name((i + 1) % N)] }));
    const g = buildGraph(nodes);
    expect(g.cycles.length).toBe(1);
    const cycle = g.cycles[0]!;
    expect(cycle.members.length).toBe(N);
    expect(cycle.path.length).toBe(N + 1);
    expect(cycle.path[0]).toBe(name(0));
    expect(cycle.path[1]).toBe(name(1));
    expect(cycle.path[N - 1]).toBe(name(N - 1));
    expect(cycle.path[N]).toBe(name(0));
    expect(g.cycleOf(name(1234))).toBe(cycle.path.join(" -> "));
    expect(g.startLayers()).toEqual([]);
  });
});
