import { describe, expect, test } from "bun:test";
import { checkReport, formatUnknown, renderCheck } from "../../../src/cli/render/check.ts";
import { explain, renderWhy } from "../../../src/cli/render/why.ts";
import { buildGraph } from "../../../src/sdk/graph/index.ts";
import { parseUnit } from "../../../src/sdk/config/index.ts";
import type { Unit } from "../../../src/sdk/config/types.ts";
import type { ServiceStatusResult } from "../../../src/sdk/protocol/types.ts";

function unit(file: string, text: string): Unit {
  const r = parseUnit(text, file);
  if ("errors" in r) throw new Error(JSON.stringify(r.errors));
  return r.unit;
}

describe("check report", () => {
  const units = [
    unit("a.toml", '[service]\nexec = "/bin/true"\n[dependencies]\nrequires = ["b"]\n'),
    unit("b.toml", '[service]\nexec = "/bin/true"\n[dependencies]\nafter = ["a"]\n'),
    unit("web.toml", '[service]\nexec = "/bin/true"\n[dependencies]\nrequires = ["db"]\n'),
    unit("all.toml", '[target]\n[dependencies]\nwants = ["web"]\n'),
  ];
  const graph = buildGraph(units.map((u) => ({ name: u.name, kind: u.kind, dependencies: u.config.dependencies })));
  const errors = [{ file: "bad.toml", path: "lifecycle.restart", message: 'expected "always" | "on-failure" | "never", got "sometimes"' }];

  test("errors, then cycles, then unknown references, then the summary", () => {
    const report = checkReport(units, errors, graph);
    expect(report.ok).toBe(false);
    expect(renderCheck(report, { color: false }).split("\n")).toEqual([
      'bad.toml: lifecycle.restart: expected "always" | "on-failure" | "never", got "sometimes"',
      "cycle: a -> b -> a",
      'web requires unknown service "db"',
      "3 services, 1 targets, 1 errors, 1 cycles, 1 unknown references",
    ]);
  });

  test("the JSON shape", () => {
    const report = checkReport(units, errors, graph);
    expect(JSON.parse(JSON.stringify(report))).toEqual({
      ok: false,
      services: 3,
      targets: 1,
      errors,
      cycles: ["a -> b -> a"],
      unknown: [{ from: "web", to: "db", type: "requires" }],
    });
  });

  test("clean when nothing is wrong", () => {
    const clean = [units[3]!, unit("web.toml", '[service]\nexec = "/bin/true"\n')];
    const g = buildGraph(clean.map((u) => ({ name: u.name, kind: u.kind, dependencies: u.config.dependencies })));
    const report = checkReport(clean, [], g);
    expect(report.ok).toBe(true);
    expect(renderCheck(report, { color: false })).toBe("1 services, 1 targets, 0 errors, 0 cycles, 0 unknown references");
  });

  test("unknown references read as sentences per type", () => {
    expect(formatUnknown({ from: "a", to: "b", type: "after" })).toBe('a starts after unknown service "b"');
    expect(formatUnknown({ from: "a", to: "b", type: "conflicts" })).toBe('a conflicts with unknown service "b"');
    expect(formatUnknown({ from: "a", to: "b", type: "wants" })).toBe('a wants unknown service "b"');
  });
});

function st(over: Partial<ServiceStatusResult>): ServiceStatusResult {
  return {
    name: "x",
    kind: "service",
    state: "running",
    reason: "",
    pid: null,
    class: "user",
    status: "start",
    since: "2024-05-01T11:59:00.000Z",
    restarts: 0,
    health: null,
    exit: null,
    config: { service: { oneshot: false } },
    dependencies: { requires: [], after: [], wants: [], conflicts: [] },
    dependents: [],
    file: "",
    ...over,
  };
}

describe("why", () => {
  const NOW = Date.parse("2024-05-01T12:00:00.000Z");
  const app = st({
    name: "app",
    state: "blocked",
    reason: "requires db (starting)",
    dependencies: { requires: ["db", "migrate", "ghost"], after: ["logger", "cache"], wants: ["metrics", "extra"], conflicts: [] },
    exit: { code: 3, signal: null },
    restarts: 2,
  });
  const deps = new Map<string, ServiceStatusResult | null>([
    ["db", st({ name: "db", state: "starting", reason: "waiting for health check" })],
    ["migrate", st({ name: "migrate", state: "exited", exit: { code: 0, signal: null }, config: { service: { oneshot: true } } })],
    ["ghost", null],
    ["logger", st({ name: "logger", state: "blocked", reason: "requires disk" })],
    ["cache", st({ name: "cache", state: "inactive" })],
    ["metrics", st({ name: "metrics", state: "failed", reason: "exit code 1" })],
    ["extra", st({ name: "extra", state: "starting" })],
  ]);

  // requires: must be running (or a oneshot exited 0); after and wants: only while the other is blocked/starting.
  test("marks exactly the dependencies the service waits for", () => {
    const r = explain(app, deps, []);
    expect(r.waiting_for).toEqual(["db", "ghost", "extra", "logger"]);
    const byName = Object.fromEntries(r.dependencies.map((d) => [d.name, d]));
    expect(byName.migrate!.waits).toBe(false);
    expect(byName.cache!.waits).toBe(false);
    expect(byName.metrics!.waits).toBe(false);
    expect(byName.ghost!.state).toBe("unknown");
  });

  test("a running service waits for nothing", () => {
    expect(explain({ ...app, state: "running" }, deps, []).waiting_for).toEqual([]);
  });

  test("names the cycle it lies on", () => {
    expect(explain(st({ name: "a", state: "failed" }), new Map(), ["x -> y -> x", "a -> b -> a"]).cycle).toBe("a -> b -> a");
    expect(explain(st({ name: "ab" }), new Map(), ["a -> b -> a"]).cycle).toBeNull();
  });

  test("renders state, waiting list, dependency table, cycle and last exit", () => {
    const text = renderWhy(explain(app, deps, []), { nowMs: NOW, color: false });
    const lines = text.split("\n");
    expect(lines[0]).toBe("app is blocked for 1m00s: requires db (starting)");
    expect(lines[1]).toBe("waiting for: db, ghost, extra, logger");
    expect(lines).toContain("dependencies:");
    expect(text).toMatch(/^ {2}requires +db +starting +WAITING +waiting for health check; must be running$/m);
    expect(text).toMatch(/^ {2}requires +migrate +exited +ok +oneshot done$/m);
    expect(text).toMatch(/^ {2}requires +ghost +unknown +WAITING +no such service/m);
    expect(text).toMatch(/^ {2}wants +metrics +failed +ok +exit code 1; soft: its failure does not block$/m);
    expect(lines).toContain("cycle: -");
    expect(lines).toContain("last exit: exit code 3 (restarts: 2)");
  });
});
