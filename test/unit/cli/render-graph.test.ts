import { describe, expect, test } from "bun:test";
import { renderGraphDot, renderGraphTree } from "../../../src/cli/render/graph.ts";
import type { GraphResult } from "../../../src/sdk/protocol/types.ts";

const graph: GraphResult = {
  nodes: [
    { name: "multi", kind: "target", state: "blocked" },
    { name: "web", kind: "service", state: "running" },
    { name: "db", kind: "service", state: "running" },
    { name: "logger", kind: "service", state: "exited" },
    { name: "legacy", kind: "service", state: "inactive" },
  ],
  edges: [
    { from: "multi", to: "web", type: "requires" },
    { from: "web", to: "db", type: "requires" },
    { from: "web", to: "logger", type: "after" },
    { from: "db", to: "logger", type: "wants" },
    { from: "web", to: "legacy", type: "conflicts" },
    { from: "legacy", to: "web", type: "conflicts" },
  ],
  cycles: [],
  unknown: [{ from: "multi", to: "ghost", type: "requires" }],
};

describe("renderGraphTree", () => {
  // Each service above what it depends on; a subtree already shown is not repeated.
  test("indented tree from the services nothing depends on", () => {
    expect(renderGraphTree(graph, { color: false }).split("\n")).toEqual([
      "legacy (inactive)",
      "└── conflicts web (running)",
      "multi (blocked)",
      "├── requires ghost (unknown)",
      "└── requires web (running)",
      "    ├── requires db (running)",
      "    │   └── wants logger (exited)",
      "    ├── after logger (exited)",
      "    └── conflicts legacy (inactive)",
    ]);
  });

  test("rooted at one service", () => {
    const text = renderGraphTree(graph, { color: false, root: "db" });
    expect(text.split("\n")).toEqual(["db (running)", "└── wants logger (exited)"]);
  });

  test("a cycle is marked, not followed forever, and listed", () => {
    const cyc: GraphResult = {
      nodes: [
        { name: "a", kind: "service", state: "failed" },
        { name: "b", kind: "service", state: "failed" },
      ],
      edges: [
        { from: "a", to: "b", type: "requires" },
        { from: "b", to: "a", type: "after" },
      ],
      cycles: ["a -> b -> a"],
      unknown: [],
    };
    expect(renderGraphTree(cyc, { color: false }).split("\n")).toEqual([
      "a (failed)",
      "└── requires b (failed)",
      "    └── after a (failed) (cycle)",
      "cycle: a -> b -> a",
    ]);
  });

  test("a repeated subtree points back instead of repeating", () => {
    const g: GraphResult = {
      nodes: [
        { name: "x", kind: "service", state: "running" },
        { name: "y", kind: "service", state: "running" },
        { name: "shared", kind: "service", state: "running" },
        { name: "base", kind: "service", state: "running" },
      ],
      edges: [
        { from: "x", to: "shared", type: "requires" },
        { from: "y", to: "shared", type: "requires" },
        { from: "shared", to: "base", type: "requires" },
      ],
      cycles: [],
      unknown: [],
    };
    expect(renderGraphTree(g, { color: false })).toContain("y (running)\n└── requires shared (running) (see above)");
  });
});

describe("renderGraphDot", () => {
  const dot = renderGraphDot(graph);

  test("a digraph with one node per service, targets as ellipses", () => {
    expect(dot.startsWith('digraph "zinit" {')).toBe(true);
    expect(dot.endsWith("}")).toBe(true);
    expect(dot).toContain('"web" [label="web\\nrunning", color="darkgreen"];');
    expect(dot).toContain('"multi" [label="multi\\nblocked", color="orange", shape=ellipse];');
    expect(dot).toContain('"ghost" [label="ghost\\nunknown", style=dashed, color="red"];');
  });

  test("edge styles per type; a conflict drawn once, undirected", () => {
    expect(dot).toContain('"web" -> "db" [label="requires", style=solid];');
    expect(dot).toContain('"web" -> "logger" [label="after", style=dashed];');
    expect(dot).toContain('"db" -> "logger" [label="wants", style=dotted];');
    expect(dot).toContain('"web" -> "legacy" [label="conflicts", style=bold, color="red", dir=none];');
    expect(dot).not.toContain('"legacy" -> "web"');
    expect(dot).toContain('"multi" -> "ghost" [label="requires", style=solid];');
  });

  test("edges on a cycle are red", () => {
    const text = renderGraphDot({
      nodes: [
        { name: "a", kind: "service", state: "failed" },
        { name: "b", kind: "service", state: "failed" },
      ],
      edges: [
        { from: "a", to: "b", type: "requires" },
        { from: "b", to: "a", type: "requires" },
      ],
      cycles: ["a -> b -> a"],
      unknown: [],
    });
    expect(text).toContain('"a" -> "b" [label="requires", style=solid, color="red"];');
    expect(text).toContain('"b" -> "a" [label="requires", style=solid, color="red"];');
  });

  test("quotes in names are escaped", () => {
    const text = renderGraphDot({ nodes: [{ name: 'we"ird', kind: "service", state: "running" }], edges: [], cycles: [], unknown: [] });
    expect(text).toContain('"we\\"ird"');
  });
});
