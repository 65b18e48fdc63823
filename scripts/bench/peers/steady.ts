/**
 * Sections "memory", "idle", "flood" and "load": what a server costs while it
 * runs, read from /proc (status, smaps_rollup, schedstat).
 *
 * - memory: RSS, anonymous (private) and file-backed parts of the server with 100
 *   and 1,000 services, 10 s after all run; private bytes per extra service =
 *   (RssAnon at 1,000 − at 100) / 900.
 * - idle: 100 services; after `idleSettle` s of quiet, the CPU time and the
 *   number of times any thread of the server ran (schedstat) over `idleSeconds`.
 *   The three servers idle at the same time: nothing else runs that would wake
 *   them.
 * - flood: one service writes `floodLines` lines of 100 bytes as fast as it can;
 *   lines/s between its own time stamps, RSS before and at most (every 20 ms).
 * - load: zinit with 100 services answering `clients` connections that each send
 *   `requests` service.status calls, one after another; RSS before, at most, and
 *   5 s after.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { ZINIT } from "../../../test/helpers/paths.ts";
import { cpuMs } from "../../../test/helpers/proc.ts";
import { fmt } from "../stats.ts";
import { compile, log, type PeerBench, type PeerSection } from "./context.ts";
import { FLOOD_FLOOR_SOURCE } from "./floors.ts";
import { answers, type Peer, SleepCounter, type Spec, startPeer, type Started, stopPeer, until } from "./systems.ts";

interface Mem {
  rss: number;
  anon: number;
  file: number;
  pss: number;
}

function memOf(pid: number): Mem {
  const st = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(st)?.[1] ?? Number.NaN);
  const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), pss };
}

/** utime+stime of the process (ms) and how often each of its threads was put on a CPU. */
function cpuAndRuns(pid: number): { cpuMs: number; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      runs.set(t, Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[2]));
    } catch {}
  }
  return { cpuMs: cpuMs(pid), runs };
}

/**
 * Runs between two readings, of the threads alive at both: a thread of Bun's
 * pool that ended meanwhile took its count with it (summing all gave a negative).
 */
function runsBetween(a: Map<string, number>, b: Map<string, number>): number {
  let runs = 0;
  for (const [t, n] of b) {
    const before = a.get(t);
    if (before !== undefined) runs += n - before;
  }
  return runs;
}

const flat = (n: number): Spec[] => Array.from({ length: n }, (_, i) => ({ name: `s_${i}` }));

function peersOf(b: PeerBench): Peer[] {
  return b.dinit ? ["zinit", "dinit", "supervisord"] : ["zinit", "supervisord"];
}

async function up(b: PeerBench, peer: Peer, label: string, specs: Spec[]): Promise<Started> {
  const s = startPeer(peer, join(b.base, `${label}-${peer}`), specs, b.dinit);
  const want = specs.filter((x) => !x.manual).length;
  const counter = new SleepCounter(s.proc.pid);
  await until(`${peer}: ${want} services`, () => counter.count() >= want, 300_000, 100);
  for (let i = 0; i < 100 && !(await answers(s, b.dinit)); i++) await Bun.sleep(100);
  return s;
}

async function memory(b: PeerBench): Promise<void> {
  const [small, big] = [b.opts.size(100), b.opts.size(1000)];
  const res = new Map<Peer, { small: Mem; big: Mem }>();
  for (const peer of peersOf(b)) {
    const m: Mem[] = [];
    for (const n of [small, big]) {
      log(`memory: ${peer} with ${n} services`);
      const s = await up(b, peer, `mem${n}`, flat(n));
      await Bun.sleep(10_000);
      m.push(memOf(s.proc.pid));
      await stopPeer(s);
    }
    res.set(peer, { small: m[0]!, big: m[1]! });
  }
  const get = (p: Peer, f: (x: { small: Mem; big: Mem }) => number) => (res.has(p) ? f(res.get(p)!) : Number.NaN);
  const perExtra = (x: { small: Mem; big: Mem }) => (x.big.anon - x.small.anon) / (big - small);
  b.rows.push({ what: `server RSS, ${big} services (MB)`, unit: "MB", zinit: get("zinit", (x) => x.big.rss / 1024), dinit: get("dinit", (x) => x.big.rss / 1024), supervisord: get("supervisord", (x) => x.big.rss / 1024), goal: "≤ 45 MB", met: get("zinit", (x) => x.big.rss) <= 45 * 1024 });
  b.rows.push({ what: "private (anonymous) memory per extra service (KB)", unit: "KB", zinit: get("zinit", perExtra), dinit: get("dinit", perExtra), supervisord: get("supervisord", perExtra), goal: "≤ 10 KB", met: get("zinit", perExtra) <= 10 });
  const line = (p: Peer, n: number, x: Mem) => `| ${p} | ${n} | ${fmt(x.rss / 1024)} | ${fmt(x.anon / 1024)} | ${fmt(x.file / 1024)} | ${fmt(x.pss / 1024)} |`;
  b.sections.push(`## Memory

The server process alone (not its services), 10 s after all its services run; MB.
RssFile is the pages of the executable (and libraries) the process has touched:
shared with every other process running the same file.

| system | services | VmRSS | RssAnon | RssFile | Pss |
|---|---:|---:|---:|---:|---:|
${[...res].flatMap(([p, x]) => [line(p, small, x.small), line(p, big, x.big)]).join("\n")}
`);
}

async function idle(b: PeerBench): Promise<void> {
  const n = b.opts.size(100);
  const started: Started[] = [];
  try {
    for (const peer of peersOf(b)) started.push(await up(b, peer, "idle", flat(n)));
    log(`idle: ${b.opts.idleSettle} s of quiet, then ${b.opts.idleSeconds} s measured`);
    await Bun.sleep(b.opts.idleSettle * 1000);
    const before = started.map((s) => cpuAndRuns(s.proc.pid));
    await Bun.sleep(b.opts.idleSeconds * 1000);
    const after = started.map((s) => cpuAndRuns(s.proc.pid));
    const fig = (p: Peer, f: (i: number) => number) => {
      const i = started.findIndex((s) => s.peer === p);
      return i < 0 ? Number.NaN : f(i);
    };
    const cpu = (p: Peer) => fig(p, (i) => after[i]!.cpuMs - before[i]!.cpuMs);
    const wakes = (p: Peer) => fig(p, (i) => runsBetween(before[i]!.runs, after[i]!.runs) / b.opts.idleSeconds);
    b.rows.push({ what: `idle, ${n} services, ${b.opts.idleSeconds} s: CPU (ms)`, unit: "ms", zinit: cpu("zinit"), dinit: cpu("dinit"), supervisord: cpu("supervisord"), goal: "≤ 5 ms", met: cpu("zinit") <= 5, digits: 0 });
    b.rows.push({ what: `idle, ${n} services: times a thread ran, per second`, unit: "/s", zinit: wakes("zinit"), dinit: wakes("dinit"), supervisord: wakes("supervisord"), goal: "0", met: wakes("zinit") === 0, digits: 2 });
    b.sections.push(`## Idle

${n} services, all three servers at once; after ${b.opts.idleSettle} s of quiet, over ${b.opts.idleSeconds} s: CPU time
(utime+stime) and how often any thread of the server was put on a CPU (sum of the
second field of /proc/PID/task/TID/schedstat; threads that ended meanwhile are not
counted).

| system | CPU (ms) | runs | runs/s | threads |
|---|---:|---:|---:|---:|
${started.map((s, i) => `| ${s.peer} | ${after[i]!.cpuMs - before[i]!.cpuMs} | ${runsBetween(before[i]!.runs, after[i]!.runs)} | ${fmt(runsBetween(before[i]!.runs, after[i]!.runs) / b.opts.idleSeconds, 2)} | ${readdirSync(`/proc/${s.proc.pid}/task`).length} |`).join("\n")}
`);
  } finally {
    for (const s of started) await stopPeer(s);
  }
}

interface FloodResult {
  peer: Peer | "floor";
  rate: number;
  rss0: number;
  max: number;
  cpu: number;
}

/**
 * Whether `date +%s%N > FILE` has finished: the shell creates the file before date
 * writes to it, and an empty stamp read as 0 once gave a negative rate.
 */
function stampWritten(file: string): boolean {
  try {
    return readFileSync(file, "utf8").endsWith("\n");
  } catch {
    return false;
  }
}

/** The flood read by the floor program: Bun's own cost of taking in that output. */
async function floodFloor(b: PeerBench, lines: number): Promise<FloodResult> {
  const dir = join(b.base, "flood-stamps-floor");
  Bun.spawnSync(["mkdir", "-p", dir]);
  const script = `date +%s%N > ${dir}/t0; yes ${"0".repeat(99)} | head -n ${lines}; date +%s%N > ${dir}/t1`;
  const proc = Bun.spawn([compile(b, "flood-floor", FLOOD_FLOOR_SOURCE), script], { stdin: "ignore", stdout: "ignore", stderr: "inherit" });
  try {
    await Bun.sleep(2000);
    const rss0 = memOf(proc.pid).rss;
    const c0 = cpuMs(proc.pid);
    log(`flood: floor, ${lines} lines`);
    process.kill(proc.pid, "SIGUSR1");
    let max = rss0;
    await until("floor: the flood to end", () => {
      max = Math.max(max, memOf(proc.pid).rss);
      return stampWritten(join(dir, "t1"));
    }, 300_000, 20);
    await Bun.sleep(200);
    const ns = (f: string) => Number(readFileSync(join(dir, f), "utf8").trim());
    return { peer: "floor", rate: lines / ((ns("t1") - ns("t0")) / 1e9), rss0, max, cpu: cpuMs(proc.pid) - c0 };
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

async function flood(b: PeerBench): Promise<void> {
  const lines = b.opts.floodLines;
  const res: FloodResult[] = [];
  for (const peer of peersOf(b)) {
    const dir = join(b.base, `flood-stamps-${peer}`);
    Bun.spawnSync(["mkdir", "-p", dir]);
    const script = `date +%s%N > ${dir}/t0; yes ${"0".repeat(99)} | head -n ${lines}; date +%s%N > ${dir}/t1`;
    const spec: Spec = { name: "flood", exec: ["sh", "-c", script], manual: true, logfile: join(b.base, `flood-${peer}.log`) };
    const s = await up(b, peer, "flood", [spec]);
    try {
      await Bun.sleep(2000);
      const rss0 = memOf(s.proc.pid).rss;
      const c0 = cpuAndRuns(s.proc.pid).cpuMs;
      log(`flood: ${peer}, ${lines} lines`);
      const startCmd =
        peer === "zinit"
          ? [ZINIT, "--socket", s.sock, "start", "--no-wait", "flood"]
          : peer === "dinit"
            ? [b.dinit!.dinitctl, "--socket-path", s.sock, "start", "--no-wait", "flood"]
            : ["supervisorctl", "-c", join(s.dir, "supervisord.conf"), "start", "flood"];
      const starter = Bun.spawn(startCmd, { stdout: "ignore", stderr: "ignore" });
      let max = rss0;
      const t1 = join(dir, "t1");
      await until(`${peer}: the flood to end`, () => {
        max = Math.max(max, memOf(s.proc.pid).rss);
        return stampWritten(t1);
      }, 300_000, 20);
      await starter.exited;
      const ns = (f: string) => Number(readFileSync(join(dir, f), "utf8").trim());
      res.push({ peer, rate: lines / ((ns("t1") - ns("t0")) / 1e9), rss0, max, cpu: cpuAndRuns(s.proc.pid).cpuMs - c0 });
    } finally {
      await stopPeer(s);
    }
  }
  res.push(await floodFloor(b, lines));
  const get = (p: Peer | "floor", f: (r: (typeof res)[0]) => number) => {
    const r = res.find((x) => x.peer === p);
    return r ? f(r) : Number.NaN;
  };
  b.rows.push({ what: `one service flooding 100-byte lines: M lines/s captured`, unit: "M/s", zinit: get("zinit", (r) => r.rate / 1e6), dinit: get("dinit", (r) => r.rate / 1e6), supervisord: get("supervisord", (r) => r.rate / 1e6), floor: get("floor", (r) => r.rate / 1e6), goal: "≥ supervisord", met: get("zinit", (r) => r.rate) >= get("supervisord", (r) => r.rate), digits: 2 });
  b.rows.push({ what: "while flooding: server RSS over idle (MB)", unit: "MB", zinit: get("zinit", (r) => (r.max - r.rss0) / 1024), dinit: get("dinit", (r) => (r.max - r.rss0) / 1024), supervisord: get("supervisord", (r) => (r.max - r.rss0) / 1024), floor: get("floor", (r) => (r.max - r.rss0) / 1024), goal: "≤ +10 MB", met: get("zinit", (r) => r.max - r.rss0) <= 10 * 1024 });
  b.sections.push(`## Log flood

One service, started on demand: \`sh -c 'date +%s%N > t0; yes 000…0 (99 zeros) | head -n ${lines}; date +%s%N > t1'\`.
zinit keeps the lines in its ring (1,000 lines), dinit in its \`log-type = buffer\`
(\`log-buffer-size = 102400\`), supervisord writes them to \`stdout_logfile\`. The floor is a bare compiled Bun
program that reads the same output from a pipe and keeps nothing.

| system | lines/s | server CPU (ms) | RSS before (MB) | RSS max (MB) |
|---|---:|---:|---:|---:|
${res.map((r) => `| ${r.peer} | ${fmt(r.rate / 1e6, 2)} M | ${r.cpu} | ${fmt(r.rss0 / 1024)} | ${fmt(r.max / 1024)} |`).join("\n")}
`);
}

async function load(b: PeerBench): Promise<void> {
  const n = b.opts.size(100);
  const s = await up(b, "zinit", "load", flat(n));
  try {
    await Bun.sleep(3000);
    const before = memOf(s.proc.pid).rss;
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, memOf(s.proc.pid).rss);
        await Bun.sleep(50);
      }
    })();
    log(`load: ${b.opts.clients} clients × ${b.opts.requests} requests`);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: b.opts.clients }, async (_, c) => {
        const client = await ZinitClient.connect(s.sock);
        for (let i = 0; i < b.opts.requests; i++) await client.status(`s_${(c * 7 + i) % n}`);
        await client.close();
      }),
    );
    const ms = performance.now() - t0;
    sampling = false;
    await sampler;
    await Bun.sleep(5000);
    const after = memOf(s.proc.pid).rss;
    b.rows.push({ what: `${b.opts.clients} clients × ${b.opts.requests} status requests: RSS peak over before (MB)`, unit: "MB", zinit: (peak - before) / 1024, dinit: Number.NaN, supervisord: Number.NaN, goal: "≤ +30 MB", met: peak - before <= 30 * 1024 });
    b.rows.push({ what: "… and 5 s after the load, over before (MB)", unit: "MB", zinit: (after - before) / 1024, dinit: Number.NaN, supervisord: Number.NaN, goal: "≤ +5 MB", met: after - before <= 5 * 1024 });
    b.sections.push(`## Load

zinit with ${n} services; ${b.opts.clients} connections at once, each sending ${b.opts.requests} \`service.status\` calls one
after the other (${fmt((b.opts.clients * b.opts.requests) / (ms / 1000), 0)} calls/s over ${fmt(ms / 1000, 1)} s). RSS of the server: before
${fmt(before / 1024)} MB, at most ${fmt(peak / 1024)} MB (every 50 ms), 5 s after ${fmt(after / 1024)} MB.
`);
  } finally {
    await stopPeer(s);
  }
}

export const steady: PeerSection[] = [
  { name: "memory", about: "server RSS with 100 and 1,000 services; private bytes per extra service", run: memory },
  { name: "idle", about: "CPU and wake-ups of an idle server with 100 services", run: idle },
  { name: "flood", about: "lines/s captured from one flooding service, RSS while flooding", run: flood },
  { name: "load", about: "zinit's RSS under 100 clients × 1,000 requests", run: load },
];
