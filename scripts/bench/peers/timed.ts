/**
 * Sections "cold", "respawn" and "shutdown": times taken from the kernel's own
 * process events (trace.ts), so nothing polls /proc while a supervisor works.
 *
 * - cold: from the spawn of the server to the exec of its last service process;
 * - respawn: from a SIGKILL of a service process to the exec of its successor;
 * - shutdown: from SIGTERM to the server to the exit of its last service process,
 *   for a chain of 100 (each requires the one before: stopped one by one, from the
 *   end) and 10 layers of 100 where each service requires all 100 of the layer
 *   below (90,000 edges: a layer stops once the one above is gone).
 *
 * The floor column is the same work done by a bare Bun program (floors.ts).
 */
import { join } from "node:path";
import { fmt } from "../stats.ts";
import { compile, log, median, type PeerBench, type PeerSection } from "./context.ts";
import { FLOOR_SOURCE } from "./floors.ts";
import { type Peer, SleepCounter, type Spec, startPeer, type Started, stopPeer, until } from "./systems.ts";
import { execsOf, exitsOf, monoMs, ProcTrace } from "./trace.ts";

type Who = Peer | "floor";

function flat(n: number): Spec[] {
  return Array.from({ length: n }, (_, i) => ({ name: `s_${i}` }));
}
function chain(n: number): Spec[] {
  return Array.from({ length: n }, (_, i) => ({ name: `s_${i}`, requires: i === 0 ? [] : [`s_${i - 1}`] }));
}
function layers(l: number, w: number): Spec[] {
  const out: Spec[] = [];
  for (let k = 0; k < l; k++) {
    for (let i = 0; i < w; i++) out.push({ name: `s_${k}_${i}`, requires: k === 0 ? [] : Array.from({ length: w }, (_, j) => `s_${k - 1}_${j}`) });
  }
  return out;
}

/** Starts `who` with `specs` (the floor with `floorArgs`), tracing from just before the spawn. */
async function launch(b: PeerBench, who: Who, label: string, specs: Spec[], floorArgs: string[]): Promise<{ s: Started; trace: ProcTrace; t0: number }> {
  const trace = await ProcTrace.start();
  if (typeof trace === "string") throw new Error(trace);
  const dir = join(b.base, `${label}-${who}-${Date.now()}`);
  const t0 = monoMs();
  let s: Started;
  if (who === "floor") {
    const proc = Bun.spawn([compile(b, "floor", FLOOR_SOURCE), ...floorArgs], { stdin: "ignore", stdout: "ignore", stderr: "inherit" });
    s = { peer: "zinit", proc, dir, sock: "", command: `floor ${floorArgs.join(" ")}` };
  } else s = startPeer(who, dir, specs, b.dinit);
  const counter = new SleepCounter(s.proc.pid);
  await until(`${who} ${label}: ${specs.length} services`, () => counter.count() >= specs.length, 300_000);
  return { s, trace, t0 };
}

function who(b: PeerBench, withSupervisord: boolean): Who[] {
  return [...(["zinit", "floor"] as Who[]), ...(b.dinit ? (["dinit"] as Who[]) : []), ...(withSupervisord ? (["supervisord"] as Who[]) : [])];
}

interface Figures {
  [who: string]: number[];
}

function table(title: string, unit: string, f: Figures): string {
  return `| ${title} | median | runs (${unit}) |\n|---|---:|---|\n${Object.entries(f)
    .map(([w, xs]) => `| ${w} | ${fmt(median(xs), 1)} | ${xs.map((x) => fmt(x, 1)).join(", ")} |`)
    .join("\n")}\n`;
}

async function cold(b: PeerBench): Promise<void> {
  let text = "";
  for (const n of [b.opts.size(100), b.opts.size(1000)]) {
    const f: Figures = {};
    for (let r = 0; r < b.opts.runs; r++) {
      for (const w of who(b, true)) {
        log(`cold start ${n}: ${w} run ${r + 1}/${b.opts.runs}`);
        const { s, trace, t0 } = await launch(b, w, `cold${n}`, flat(n), [String(n)]);
        await stopPeer(s);
        const execs = execsOf(await trace.stop(), s.proc.pid, "sleep");
        (f[w] ??= []).push(execs.length >= n ? execs[n - 1]!.t - t0 : Number.NaN);
      }
    }
    const m = (w: Who) => median(f[w] ?? []);
    const goal = n >= 1000 ? "≤ 1.0 × dinit" : "≤ 1.2 × dinit";
    const limit = n >= 1000 ? 1.0 : 1.2;
    b.rows.push({ what: `cold start, ${n} services: spawn → last exec'd (median of ${b.opts.runs})`, unit: "ms", zinit: m("zinit"), dinit: m("dinit"), supervisord: m("supervisord"), floor: m("floor"), goal, met: b.dinit ? m("zinit") <= limit * m("dinit") : null });
    text += `\n${n} services, each \`sleep 31536001\`:\n\n${table("system", "ms", f)}`;
  }
  b.sections.push(`## Cold start\n\nFrom the spawn of the server to the exec of its last service process, from the kernel's exec events.\nRuns alternate between the systems.\n${text}`);
}

async function respawn(b: PeerBench): Promise<void> {
  const f: Figures = {};
  const kills = b.opts.quick ? 5 : 20;
  for (const w of who(b, true)) {
    log(`respawn: ${w}, ${kills} kills`);
    const { s, trace } = await launch(b, w, "respawn", flat(10), ["10"]);
    const counter = new SleepCounter(s.proc.pid);
    const marks: number[] = [];
    for (let i = 0; i < kills; i++) {
      const before = new Set(counter.pids());
      const victim = [...before][i % before.size]!;
      marks.push(monoMs());
      process.kill(victim, "SIGKILL");
      await until(`${w}: a new process after the kill`, () => counter.pids().some((p) => !before.has(p)), 10_000, 5);
      await Bun.sleep(250); // supervisord counts a start as failed within its startsecs otherwise, dinit's restart-delay is a minimum gap
    }
    await stopPeer(s);
    const execs = execsOf(await trace.stop(), s.proc.pid, "sleep");
    f[w] = marks.map((m) => (execs.find((e) => e.t > m)?.t ?? Number.NaN) - m);
  }
  const m = (w: Who) => median(f[w] ?? []);
  b.rows.push({ what: "SIGKILL → new process exec'd (median)", unit: "ms", zinit: m("zinit"), dinit: m("dinit"), supervisord: m("supervisord"), floor: m("floor"), goal: "≤ 1.5 × dinit", met: b.dinit ? m("zinit") <= 1.5 * m("dinit") : null, digits: 2 });
  b.sections.push(`## Respawn after SIGKILL\n\n10 services; ${kills} times, one of them is killed with SIGKILL and the time to the exec of\nits successor is taken from the kernel's events (250 ms between kills).\n\n${table("system", "ms", f)}`);
}

async function shutdown(b: PeerBench): Promise<void> {
  let text = "";
  const shapes: { label: string; specs: Spec[]; args: string[]; goal: string }[] = [
    { label: `chain of ${b.opts.size(100)}`, specs: chain(b.opts.size(100)), args: ["chain", String(b.opts.size(100))], goal: "≤ 1.5 × dinit" },
    {
      label: `10 layers of ${b.opts.size(100)}, each requiring the whole layer below`,
      specs: layers(10, b.opts.size(100)),
      args: ["layers", "10", String(b.opts.size(100))],
      goal: "≤ 1.5 × dinit",
    },
  ];
  for (const shape of shapes) {
    const f: Figures = {};
    for (let r = 0; r < b.opts.runs; r++) {
      for (const w of who(b, false)) {
        log(`shutdown, ${shape.label}: ${w} run ${r + 1}/${b.opts.runs}`);
        const { s, trace } = await launch(b, w, "shutdown", shape.specs, shape.args);
        await Bun.sleep(500);
        const t = monoMs();
        await stopPeer(s);
        const exits = exitsOf(await trace.stop(), s.proc.pid, "sleep").filter((e) => e.t > t);
        (f[w] ??= []).push(exits.length >= shape.specs.length ? exits[exits.length - 1]!.t - t : Number.NaN);
      }
    }
    const m = (w: Who) => median(f[w] ?? []);
    b.rows.push({ what: `ordered shutdown, ${shape.label}: SIGTERM → all gone (median)`, unit: "ms", zinit: m("zinit"), dinit: m("dinit"), supervisord: Number.NaN, floor: m("floor"), goal: shape.goal, met: b.dinit ? m("zinit") <= 1.5 * m("dinit") : null });
    text += `\n${shape.label}:\n\n${table("system", "ms", f)}`;
  }
  b.sections.push(`## Ordered shutdown\n\nFrom SIGTERM to the server to the exit of its last service process (kernel exit events).\nsupervisord has no dependencies and is left out.\n${text}`);
}

export const timed: PeerSection[] = [
  { name: "cold", about: "cold start of 100 and 1,000 services", run: cold },
  { name: "respawn", about: "SIGKILL of a service to its new process", run: respawn },
  { name: "shutdown", about: "ordered shutdown: a chain of 100, 10 layers of 100", run: shutdown },
];
