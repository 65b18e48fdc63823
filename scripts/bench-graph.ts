/**
 * Benchmark of the pure dependency graph: 10,000 services, 50,000 distinct edges,
 * built from a seeded PRNG so every run measures the same graph. Times buildGraph
 * (which includes cycle detection), startLayers and stopLayers: one warm-up, then
 * the median, min and max of five runs. Writes bench/graph.md.
 *
 *   node_modules/.bin/bun scripts/bench-graph.ts
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Dependencies } from "../src/sdk/config/types.ts";
import { buildGraph, type EdgeType, type GraphNodeInput } from "../src/sdk/graph/index.ts";
import { cpuModel } from "../test/helpers/proc.ts";

const SERVICES = 10_000;
const EDGES = 50_000;
const SEED = 20240601;
const RUNS = 5;
const TYPES: EdgeType[] = ["requires", "after", "wants"];

/** mulberry32: small, seeded, good enough to scatter edges. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Edges only go from a later to an earlier node of a hidden random order, so the
 * graph is acyclic; `cycles` then plants that many back edges, each closing a
 * short forward path (3 to 6 nodes).
 */
function randomGraph(seed: number, cycles: number): GraphNodeInput[] {
  const random = prng(seed);
  const order = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const deps: Dependencies[] = order.map(() => ({ requires: [], after: [], wants: [], conflicts: [] }));
  const seen = new Set<number>();
  const add = (from: number, to: number): boolean => {
    const key = from * SERVICES + to;
    if (seen.has(key)) return false;
    seen.add(key);
    deps[from]![TYPES[Math.floor(random() * 3)]!].push(order[to]!);
    return true;
  };
  let made = 0;
  while (made < EDGES) {
    const a = Math.floor(random() * SERVICES);
    const b = Math.floor(random() * SERVICES);
    if (a !== b && add(Math.max(a, b), Math.min(a, b))) made++;
  }
  for (let k = 0; k < cycles; k++) {
    const length = 2 + Math.floor(random() * 4);
    const start = Math.floor(random() * (SERVICES - length));
    for (let i = start + length; i > start; i--) add(i, i - 1);
    add(start, start + length);
  }
  return order.map((name, i) => ({ name, kind: "service", dependencies: deps[i]! }));
}

interface Phases {
  build: number;
  startLayers: number;
  stopLayers: number;
  total: number;
}

function once(nodes: GraphNodeInput[]): { times: Phases; cycles: number; onCycle: number; layers: number } {
  const t0 = performance.now();
  const g = buildGraph(nodes);
  const t1 = performance.now();
  const start = g.startLayers();
  const t2 = performance.now();
  g.stopLayers();
  const t3 = performance.now();
  return {
    times: { build: t1 - t0, startLayers: t2 - t1, stopLayers: t3 - t2, total: t3 - t0 },
    cycles: g.cycles.length,
    onCycle: g.cycles.reduce((sum, c) => sum + c.members.length, 0),
    layers: start.length,
  };
}

function measure(nodes: GraphNodeInput[]) {
  once(nodes); // warm-up: JIT and allocator
  const runs = Array.from({ length: RUNS }, () => once(nodes));
  const stat = (phase: keyof Phases) => {
    const xs = runs.map((r) => r.times[phase]).sort((a, b) => a - b);
    return { median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, max: xs[xs.length - 1]! };
  };
  const last = runs[runs.length - 1]!;
  return {
    phases: { build: stat("build"), startLayers: stat("startLayers"), stopLayers: stat("stopLayers"), total: stat("total") },
    cycles: last.cycles,
    onCycle: last.onCycle,
    layers: last.layers,
  };
}

function edgeCount(nodes: GraphNodeInput[]): number {
  let n = 0;
  for (const node of nodes) n += node.dependencies.requires.length + node.dependencies.after.length + node.dependencies.wants.length;
  return n;
}

function machine() {
  return {
    kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
    cpu: cpuModel() ?? "unknown",
    nproc: String(availableParallelism()),
  };
}

const variants = [
  { name: "acyclic", nodes: randomGraph(SEED, 0) },
  { name: "with cycles", nodes: randomGraph(SEED, 50) },
];
const fmt = (ms: number) => ms.toFixed(2);
const lines: string[] = [];
const m = machine();
lines.push("# Dependency graph benchmark", "");
lines.push(`- date: ${new Date().toISOString()}`);
lines.push("- command: `node_modules/.bin/bun scripts/bench-graph.ts`");
lines.push(`- bun: ${Bun.version}`);
lines.push(`- kernel: ${m.kernel}`);
lines.push(`- cpu: ${m.cpu}`);
lines.push(`- nproc: ${m.nproc}`);
lines.push(`- graph: ${SERVICES} services, seed ${SEED}; each run: buildGraph (includes cycle detection), startLayers, stopLayers`);
lines.push(`- ${RUNS} runs after one warm-up; times in ms`, "");
for (const v of variants) {
  const r = measure(v.nodes);
  lines.push(`## ${v.name}`, "");
  lines.push(`${edgeCount(v.nodes)} edges, ${r.cycles} cycles (${r.onCycle} services on them), ${r.layers} start layers`, "");
  lines.push("| phase | median | min | max |", "|---|---:|---:|---:|");
  for (const [phase, s] of Object.entries(r.phases)) {
    lines.push(`| ${phase} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} |`);
  }
  lines.push("");
}
const text = lines.join("\n");
const out = join(import.meta.dir, "..", "bench", "graph.md");
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(out, text);
console.log(text);
