/**
 * zinit against supervisord on the same machine, in the same run (issue 3), and
 * zinit's health-probe cost and reload time (issue 5). Writes
 * bench/supervisor.md and bench/health-reload.md. Run through `scripts/bench`
 * (which installs supervisor and hyperfine and builds dist/zinit first):
 *
 *   node_modules/.bin/bun scripts/bench-supervisor.ts [--idle-seconds 60] [--health-seconds 60]
 *                                                   [--flood-lines 10000000] [--only a,b,...]
 *
 * Sections (for --only): start, layers, shutdown, idle, flood, health.
 *
 * Every server runs in a temp dir with its own socket; nothing touches
 * /run/zinit.sock or /etc/zinit. This process makes itself child subreaper so
 * that whatever a server leaves behind is still one of its descendants, and
 * every section ends by checking that no descendant is left (killing any that
 * is, by pid, and saying so in the report).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { dlopen, FFIType, ptr } from "bun:ffi";
import type { Subprocess } from "bun";
import { ZinitClient } from "../src/sdk/client.ts";
import type { StateEvent } from "../src/sdk/protocol/types.ts";
import { setChildSubreaper } from "../src/sys/libc.ts";

// ---------------------------------------------------------------- options

const { values: opt } = parseArgs({
  options: {
    "idle-seconds": { type: "string", default: "60" },
    "health-seconds": { type: "string", default: "60" },
    "flood-lines": { type: "string", default: "10000000" },
    only: { type: "string" },
  },
});
const IDLE_S = Number(opt["idle-seconds"]);
const HEALTH_S = Number(opt["health-seconds"]);
const FLOOD_LINES = Number(opt["flood-lines"]);
const ONLY = opt.only ? new Set(opt.only.split(",")) : null;
const want = (section: string) => ONLY === null || ONLY.has(section);

const ROOT = join(import.meta.dir, "..");
const ZINIT = join(ROOT, "dist/zinit");
const REL_ZINIT = "dist/zinit";
const SLEEP_ARG = "31536001"; // a year and a second: marks our sleeps in `ps`
const POLL_GAP_MS = 100; // pause between two "is everything running?" polls
const SETTLE_MS = 5000; // after "all running", before an idle window starts

// ---------------------------------------------------------------- clocks and /proc

const libc = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
const tsBuf = new BigInt64Array(2);
/** CLOCK_REALTIME in ms with ns precision: comparable with `date +%s%N` stamps written by services. */
function realtimeMs(): number {
  libc.symbols.clock_gettime(0, ptr(tsBuf));
  return Number(tsBuf[0]!) * 1000 + Number(tsBuf[1]!) / 1e6;
}
const now = () => performance.now();
const sleep = (ms: number) => Bun.sleep(ms);
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

/** utime+stime of a process (all its threads, live and dead), in ms. 10 ms resolution. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}
function statusKb(pid: number, key: "VmRSS" | "VmHWM"): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : NaN;
}
function threads(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
  cmd: string;
}
function processTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ").trim();
      } catch {}
      out.push({ pid: Number(d), ppid: Number(f[1]), state: f[0]!, cmd });
    } catch {}
  }
  return out;
}
/** How many live children of `ppid` run the program named `comm`. Reads only /proc/PID/stat. */
function countChildren(ppid: number, comm: string): number {
  let n = 0;
  const tag = `(${comm}) `;
  for (const d of readdirSync("/proc")) {
    if (d.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const i = stat.indexOf(tag);
      if (i < 0) continue;
      const f = stat.slice(i + tag.length).split(" ", 2);
      if (f[0] !== "Z" && Number(f[1]) === ppid) n++;
    } catch {}
  }
  return n;
}
/** Every live (non-zombie) descendant of `root`. */
function descendants(root: number): ProcEntry[] {
  const table = processTable();
  const kids = new Map<number, ProcEntry[]>();
  for (const p of table) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
  const out: ProcEntry[] = [];
  const walk = (pid: number) => {
    for (const c of kids.get(pid) ?? []) {
      if (c.state !== "Z") out.push(c);
      walk(c.pid);
    }
  };
  walk(root);
  return out;
}
const leftovers: string[] = [];
/** Ends the section: anything still below us is killed by pid and recorded. */
async function sweep(section: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if (descendants(process.pid).length === 0) return;
    await sleep(100);
  }
  const left = descendants(process.pid);
  leftovers.push(`${section}: ${left.length} process(es) left, killed: ${left.slice(0, 5).map((p) => `${p.pid} ${p.cmd}`).join("; ")}`);
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {}
  }
}

// ---------------------------------------------------------------- small stats

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const min = (xs: number[]) => Math.min(...xs);
const max = (xs: number[]) => Math.max(...xs);
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const mb = (kb: number) => `${fmt(kb / 1024, 1)} MB`;

// ---------------------------------------------------------------- machine

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "n/a";
  }
}
const machine = {
  date: new Date().toISOString(),
  kernel: sh("uname", ["-r"]),
  cpu: readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "n/a",
  nproc: sh("nproc", []),
  memory: readFileSync("/proc/meminfo", "utf8").match(/^MemTotal:\s*(\d+) kB/m)?.[1] ?? "n/a",
  loadStart: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  bun: Bun.version,
  zinit: sh(ZINIT, ["version"]),
  supervisord: sh("supervisord", ["--version"]),
  hyperfine: sh("hyperfine", ["--version"]),
};
const HYPERFINE = machine.hyperfine !== "n/a";
const loadNow = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

// ---------------------------------------------------------------- the two systems under test

type Kind = "zinit" | "supervisord";

interface ServiceSpec {
  name: string;
  /** argv of the service */
  exec: string[];
  requires?: string[];
  /** supervisord only: start order */
  priority?: number;
  oneshot?: boolean;
  autostart?: boolean;
  health?: { port: number };
  /** supervisord only: where stdout goes (default AUTO, a file in childlogdir) */
  logfile?: string;
}

const BASE = mkdtempSync(join(tmpdir(), "zinit-bench-"));
const shown = (p: string) => p; // the exact paths are part of the command

function tomlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid TOML basic string
}
function zinitToml(s: ServiceSpec): string {
  const lines = ["[service]", `exec = [${s.exec.map(tomlString).join(", ")}]`];
  if (s.oneshot) lines.push("oneshot = true");
  if (s.autostart === false) lines.push('status = "stop"');
  if (s.requires?.length) lines.push("[dependencies]", `requires = [${s.requires.map(tomlString).join(", ")}]`);
  lines.push("[lifecycle]", "restart_delay_ms = 0");
  if (s.health) lines.push("[health]", 'type = "tcp"', `target = "127.0.0.1:${s.health.port}"`, "interval_ms = 1000");
  lines.push("[logging]", "forward = false");
  return lines.join("\n") + "\n";
}
/** supervisord's config is read with ConfigParser interpolation: `%` must be doubled. */
function svCommand(argv: string[]): string {
  const quoted = argv.map((a) => (/^[\w./:=@+-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, "\\$1")}"`));
  return quoted.join(" ").replace(/%/g, "%%");
}
function svProgram(s: ServiceSpec): string {
  const lines = [`[program:${s.name}]`, `command=${svCommand(s.exec)}`, "startsecs=0"];
  lines.push(s.oneshot ? "autorestart=false" : "autorestart=true");
  if (s.autostart === false) lines.push("autostart=false");
  if (s.priority !== undefined) lines.push(`priority=${s.priority}`);
  if (s.logfile) lines.push(`stdout_logfile=${s.logfile}`, "stdout_logfile_maxbytes=0", "stdout_logfile_backups=0");
  return lines.join("\n") + "\n";
}
function svConfig(dir: string, services: ServiceSpec[]): string {
  return `[unix_http_server]
file=${dir}/supervisor.sock
[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}/logs
minfds=8192
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://${dir}/supervisor.sock

${services.map(svProgram).join("\n")}`;
}

async function xmlrpc(sock: string, method: string, params: string[] = []): Promise<string> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value>${p}</value></param>`)
    .join("")}</params></methodCall>`;
  const res = await fetch("http://localhost/RPC2", {
    method: "POST",
    body,
    headers: { "Content-Type": "text/xml" },
    unix: sock,
  } as RequestInit);
  const text = await res.text();
  if (text.includes("<fault>")) throw new Error(`${method}: ${text.replace(/\s+/g, " ").slice(0, 300)}`);
  return text;
}
const xs = (s: string) => `<string>${s}</string>`;

class Sut {
  readonly kind: Kind;
  readonly dir: string;
  readonly sock: string;
  readonly command: string;
  readonly proc: Subprocess;
  readonly spawnedAt: number;
  #client: ZinitClient | null = null;
  #events: StateEvent[] = [];
  #eventWaiters: (() => void)[] = [];
  #eventIter: AsyncIterableIterator<StateEvent> | null = null;

  private constructor(kind: Kind, dir: string, sock: string, command: string, proc: Subprocess, spawnedAt: number) {
    this.kind = kind;
    this.dir = dir;
    this.sock = sock;
    this.command = command;
    this.proc = proc;
    this.spawnedAt = spawnedAt;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Writes the configuration of `services` into a fresh dir and starts the server. */
  static start(kind: Kind, label: string, services: ServiceSpec[]): Sut {
    const dir = join(BASE, `${kind}-${label}`);
    mkdirSync(dir, { recursive: true });
    let argv: string[];
    let sock: string;
    if (kind === "zinit") {
      mkdirSync(join(dir, "conf"));
      for (const s of services) writeFileSync(join(dir, "conf", `${s.name}.toml`), zinitToml(s));
      sock = join(dir, "zinit.sock");
      argv = [ZINIT, "server", "--config-dir", join(dir, "conf"), "--socket", sock];
    } else {
      mkdirSync(join(dir, "logs"));
      writeFileSync(join(dir, "supervisord.conf"), svConfig(dir, services));
      sock = join(dir, "supervisor.sock");
      argv = ["supervisord", "-n", "-c", join(dir, "supervisord.conf")];
    }
    const out = openSync(join(dir, "server.out"), "w");
    const t0 = now();
    const proc = Bun.spawn(argv, { stdin: "ignore", stdout: out, stderr: out });
    closeSync(out);
    const shownArgv = kind === "zinit" ? [REL_ZINIT, ...argv.slice(1)] : argv;
    return new Sut(kind, dir, sock, `${shownArgv.join(" ")} >${shown(join(dir, "server.out"))} 2>&1`, proc, t0);
  }

  async client(): Promise<ZinitClient> {
    if (this.#client && !this.#client.closed) return this.#client;
    this.#client = await ZinitClient.connect(this.sock);
    return this.#client;
  }

  /** How many services the server reports as running; 0 while its socket is not up. */
  async countRunning(): Promise<number> {
    try {
      if (this.kind === "zinit") return (await (await this.client()).list()).filter((s) => s.state === "running").length;
      const xml = await xmlrpc(this.sock, "supervisor.getAllProcessInfo");
      return (xml.match(/<name>statename<\/name>\s*<value><string>RUNNING<\/string>/g) ?? []).length;
    } catch {
      return 0;
    }
  }

  /**
   * Waits until `n` services run; ms since the server was spawned. First, without
   * asking the server anything, until `n` live `sleep` children of the server show
   * in /proc (`spawned`); then the server's own API is polled, with POLL_GAP_MS
   * between polls, until it reports `n` running (`ms`). Polling the API from the
   * start would slow the server down while it starts: one getAllProcessInfo of
   * 1,000 programs keeps supervisord busy for over half a second.
   */
  async waitRunning(n: number, timeoutMs = 180_000): Promise<{ ms: number; polls: number; spawned: number }> {
    let polls = 0;
    let spawned = NaN;
    for (;;) {
      const c = countChildren(this.pid, "sleep");
      const t = now() - this.spawnedAt;
      if (c >= n) {
        spawned = t;
        break;
      }
      if (t > timeoutMs) throw new Error(`${this.kind}: only ${c} of ${n} spawned after ${fmt(t / 1000)} s`);
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} exited (${this.proc.exitCode}); see ${this.dir}/server.out`);
      await sleep(POLL_GAP_MS);
    }
    for (;;) {
      polls++;
      const c = await this.countRunning();
      const t = now() - this.spawnedAt;
      if (c >= n) return { ms: t, polls, spawned };
      if (t > timeoutMs) throw new Error(`${this.kind}: only ${c} of ${n} running after ${fmt(t / 1000)} s`);
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} exited (${this.proc.exitCode}); see ${this.dir}/server.out`);
      await sleep(POLL_GAP_MS);
    }
  }

  async pidOf(name: string): Promise<number | null> {
    if (this.kind === "zinit") return (await (await this.client()).status(name)).pid;
    const xml = await xmlrpc(this.sock, "supervisor.getProcessInfo", [xs(name)]);
    const m = xml.match(/<name>pid<\/name>\s*<value><int>(\d+)<\/int>/);
    return m && m[1] !== "0" ? Number(m[1]) : null;
  }

  async startService(name: string): Promise<void> {
    if (this.kind === "zinit") await (await this.client()).start(name);
    else await xmlrpc(this.sock, "supervisor.startProcess", [xs(name), "<boolean>0</boolean>"]);
  }

  /** zinit only: records every state change from now on. */
  async subscribe(): Promise<void> {
    const client = await this.client();
    this.#eventIter = client.events();
    const first = this.#eventIter.next(); // opens the stream
    void (async () => {
      try {
        let r = await first;
        while (!r.done) {
          this.#events.push({ ...r.value, at: String(now()) });
          for (const w of this.#eventWaiters.splice(0)) w();
          r = await this.#eventIter!.next();
        }
      } catch {}
    })();
    await sleep(300); // the subscription is in place well before anything is measured
  }
  /** Resolves with the local receipt time (performance.now()) of the first event after `from` matching `pred`. */
  async waitEvent(pred: (e: StateEvent) => boolean, fromIndex: number, timeoutMs = 10_000): Promise<number> {
    const deadline = now() + timeoutMs;
    for (;;) {
      for (let i = fromIndex; i < this.#events.length; i++) if (pred(this.#events[i]!)) return Number(this.#events[i]!.at);
      if (now() > deadline) throw new Error("timed out waiting for an event");
      await new Promise<void>((r) => {
        this.#eventWaiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  get eventCount(): number {
    return this.#events.length;
  }

  /** SIGTERM, then ms until the server process has exited. */
  async terminate(timeoutMs = 120_000): Promise<{ ms: number; code: number | null }> {
    await this.#eventIter?.return?.();
    await this.#client?.close();
    const t0 = now();
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), timeoutMs);
    const code = await this.proc.exited;
    clearTimeout(timer);
    return { ms: now() - t0, code };
  }
}

// ---------------------------------------------------------------- CLI timing (figure 4)

interface CmdTiming {
  command: string;
  min: number;
  median: number;
  mean: number;
  max: number;
  runs: number;
}
function timeCommands(commands: string[][], runs = 20): CmdTiming[] {
  if (HYPERFINE) {
    const json = join(BASE, `hyperfine-${Date.now()}.json`);
    const cmdStrings = commands.map((c) => c.join(" "));
    const r = spawnSync("hyperfine", ["-N", "-i", "--warmup", "3", "--runs", String(runs), "--style", "none", "--export-json", json, ...cmdStrings], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    if (r.status === 0) {
      const results = JSON.parse(readFileSync(json, "utf8")).results as { times: number[]; mean: number; median: number; min: number; max: number }[];
      return results.map((x, i) => ({ command: cmdStrings[i]!, min: x.min * 1000, median: x.median * 1000, mean: x.mean * 1000, max: x.max * 1000, runs: x.times.length }));
    }
    process.stderr.write(`hyperfine failed (${r.stderr}); timing with a loop instead\n`);
  }
  return commands.map((c) => {
    for (let i = 0; i < 3; i++) spawnSync(c[0]!, c.slice(1), { stdio: "ignore" });
    const t: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = now();
      spawnSync(c[0]!, c.slice(1), { stdio: "ignore" });
      t.push(now() - t0);
    }
    return { command: c.join(" "), min: min(t), median: median(t), mean: t.reduce((a, b) => a + b, 0) / t.length, max: max(t), runs };
  });
}
const showCmd = (c: string) => c.replace(ZINIT, REL_ZINIT);

// ---------------------------------------------------------------- report

interface Row {
  fig: string;
  what: string;
  zinit: number;
  sv: number;
  unit: string;
  better: "lower" | "higher";
  digits?: number;
}
const rows: Row[] = [];
const sections: string[] = [];
const healthSections: string[] = [];
const notes: string[] = [];
function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const sleepSvc = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({ name, exec: ["sleep", SLEEP_ARG], ...extra });
const flat = (n: number) => Array.from({ length: n }, (_, i) => sleepSvc(`s_${i}`));
function layered(): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  for (let l = 0; l < 10; l++)
    for (let i = 0; i < 100; i++) out.push(sleepSvc(`s${l}_${i}`, { requires: l > 0 ? [`s${l - 1}_${i}`] : [], priority: 10 * (l + 1) }));
  return out;
}
function sampleConfig(kind: Kind, s: ServiceSpec): string {
  return kind === "zinit" ? zinitToml(s) : svProgram(s);
}
function configBlock(specs: { kind: Kind; s: ServiceSpec; file: string }[]): string {
  return specs
    .map(({ kind, s, file }) => `${kind} (\`${file}\`):\n\n\`\`\`${kind === "zinit" ? "toml" : "ini"}\n${sampleConfig(kind, s).trim()}\n\`\`\``)
    .join("\n\n");
}

// ---------------------------------------------------------------- sections

interface StartRun {
  start: number;
  spawned: number;
  polls: number;
  stop: number;
  load: string;
}
/**
 * Starts `services` on a fresh server `reps` times, interleaving zinit and
 * supervisord (z, s, z, s, ...) so that a change of background load hits both;
 * `during` runs on the first repetition only, between "all running" and the SIGTERM.
 */
async function startRuns(
  label: string,
  services: ServiceSpec[],
  reps: number,
  during: (kind: Kind, sut: Sut) => Promise<void>,
): Promise<Record<Kind, { runs: StartRun[]; cmd: string }>> {
  const res = { zinit: { runs: [] as StartRun[], cmd: "" }, supervisord: { runs: [] as StartRun[], cmd: "" } };
  for (let rep = 0; rep < reps; rep++) {
    for (const kind of ["zinit", "supervisord"] as Kind[]) {
      const load = loadNow();
      const sut = Sut.start(kind, `${label}-${rep}`, services);
      const { ms, polls, spawned } = await sut.waitRunning(services.length);
      log(`${kind} ${label} #${rep + 1}: all ${services.length} spawned after ${fmt(spawned, 0)} ms, reported running after ${fmt(ms, 0)} ms`);
      if (rep === 0) await during(kind, sut);
      else await sleep(2000);
      const stop = await sut.terminate();
      log(`${kind} ${label} #${rep + 1}: shutdown took ${fmt(stop.ms, 0)} ms (exit ${stop.code})`);
      res[kind].runs.push({ start: ms, spawned, polls, stop: stop.ms, load });
      res[kind].cmd = sut.command.replaceAll(`${label}-${rep}`, `${label}-N`);
      await sweep(`${kind} ${label} #${rep + 1}`);
    }
  }
  return res;
}
const medianOf = (runs: StartRun[], key: "start" | "spawned" | "stop") => median(runs.map((r) => r[key]));
const listOf = (runs: StartRun[], key: "start" | "spawned" | "stop") => runs.map((r) => fmt(r[key], 0)).join(", ");
function startTable(z: StartRun[], s: StartRun[]): string {
  const line = (what: string, key: "start" | "spawned" | "stop") =>
    `| ${what} | **${fmt(medianOf(z, key), 0)}** (${listOf(z, key)}) | **${fmt(medianOf(s, key), 0)}** (${listOf(s, key)}) |`;
  return `| median (each run) | zinit | supervisord |
|---|---:|---:|
${line("all spawned (/proc) after (ms)", "spawned")}
${line("API reports all running after (ms)", "start")}
${line("shutdown, SIGTERM to exit (ms)", "stop")}
| API polls | ${z.map((r) => r.polls).join(", ")} | ${s.map((r) => r.polls).join(", ")} |
| load average before each run | ${z.map((r) => r.load.split(" ")[0]).join(", ")} | ${s.map((r) => r.load.split(" ")[0]).join(", ")} |`;
}
const START_REPS = 3;

/** Figures 1 (flat), 2 and 4; and the shutdown of 1,000 as an extra. */
async function benchStartFlat(): Promise<void> {
  const N = 1000;
  const idle: Record<Kind, { rss: number; cpu10: number; thr: number; t: CmdTiming[] }> = {} as never;
  const res = await startRuns("flat1000", flat(N), START_REPS, async (kind, sut) => {
    const c0 = cpuMs(sut.pid);
    await sleep(10_000);
    const rss = statusKb(sut.pid, "VmRSS");
    const cpu10 = cpuMs(sut.pid) - c0;
    if (kind === "zinit") zinitIdle1000 = { cpuMs: cpu10, seconds: 10 };
    const thr = threads(sut.pid);
    const cmds =
      kind === "zinit"
        ? [
            [ZINIT, "--socket", sut.sock, "status", "s_500"],
            [ZINIT, "--socket", sut.sock, "list"],
          ]
        : [
            ["supervisorctl", "-c", join(sut.dir, "supervisord.conf"), "status", "s_500"],
            ["supervisorctl", "-c", join(sut.dir, "supervisord.conf"), "status"],
          ];
    const t = timeCommands(cmds);
    log(`${kind}: VmRSS ${mb(rss)} after 10 s idle; CLI medians ${t.map((x) => fmt(x.median)).join(" / ")} ms`);
    idle[kind] = { rss, cpu10, thr, t };
  });
  const z = res.zinit.runs;
  const s = res.supervisord.runs;
  const zi = idle.zinit;
  const si = idle.supervisord;
  rows.push({ fig: "1a", what: `start 1,000 services (flat) until all running (median of ${START_REPS})`, zinit: medianOf(z, "start"), sv: medianOf(s, "start"), unit: "ms", better: "lower", digits: 0 });
  rows.push({ fig: "2", what: "RSS of the server, 1,000 services, after 10 s idle", zinit: zi.rss / 1024, sv: si.rss / 1024, unit: "MB", better: "lower" });
  rows.push({ fig: "4a", what: "`status NAME` wall time, 1,000 services (median of 20)", zinit: zi.t[0]!.median, sv: si.t[0]!.median, unit: "ms", better: "lower" });
  rows.push({ fig: "4b", what: "`list` / `status` wall time, 1,000 services (median of 20)", zinit: zi.t[1]!.median, sv: si.t[1]!.median, unit: "ms", better: "lower" });
  rows.push({ fig: "6+", what: `shut down 1,000 services (flat), SIGTERM to exit (median of ${START_REPS})`, zinit: medianOf(z, "stop"), sv: medianOf(s, "stop"), unit: "ms", better: "lower", digits: 0 });
  const timingTable = (t: CmdTiming[]) =>
    t.map((x) => `| \`${showCmd(x.command)}\` | ${x.runs} | ${fmt(x.min)} | ${fmt(x.median)} | ${fmt(x.mean)} | ${fmt(x.max)} |`).join("\n");
  sections.push(`## 1a, 2, 4: 1,000 flat services

Each server is started with 1,000 services that are all \`sleep ${SLEEP_ARG}\`; the
clock starts just before the server is spawned and stops when the server's own
API first reports all 1,000 running. So as not to slow the servers down while
they start, the benchmark first waits, asking them nothing, until 1,000 live
\`sleep\` children of the server show in /proc (checked every ${POLL_GAP_MS} ms; "all
spawned" below), and only then polls the API: zinit \`service.list\` through the
SDK (\`ZinitClient.list()\`), supervisord \`supervisor.getAllProcessInfo\` over
XML-RPC on its unix socket (what \`supervisorctl status\` calls), ${POLL_GAP_MS} ms
between the end of one poll and the next. The figure includes the last poll's
round trip: for supervisord one getAllProcessInfo of 1,000 programs takes over
half a second by itself (see the \`supervisorctl status\` times below).
${START_REPS} runs, zinit and supervisord alternating. In the first run only: 10 s
idle, then VmRSS from \`/proc/PID/status\` of the server process alone (not its
children), then the CLI timings; in every run then SIGTERM and the time until the
server process exits.

- zinit: \`${res.zinit.cmd}\`
- supervisord: \`${res.supervisord.cmd}\`

${configBlock([
  { kind: "zinit", s: sleepSvc("s_0"), file: "conf/s_0.toml, one per service" },
  { kind: "supervisord", s: sleepSvc("s_0"), file: "supervisord.conf, one section per service, after the [supervisord], [unix_http_server], [rpcinterface:supervisor] sections" },
])}

supervisord keeps its default \`stdout_logfile=AUTO\`: like zinit it captures each
program's stdout and stderr (into files under \`childlogdir\`; zinit into memory).

${startTable(z, s)}

First run, after all were running:

| | zinit | supervisord |
|---|---:|---:|
| VmRSS after 10 s idle | ${mb(zi.rss)} | ${mb(si.rss)} |
| CPU used in those 10 s idle (ms) | ${fmt(zi.cpu10, 0)} | ${fmt(si.cpu10, 0)} |
| threads | ${zi.thr} | ${si.thr} |

CLI wall times (${HYPERFINE ? `${machine.hyperfine}, \`hyperfine -N -i --warmup 3 --runs 20\`` : "a loop of 20 runs after 3 warm-ups"}), ms:

| command | runs | min | median | mean | max |
|---|---:|---:|---:|---:|---:|
${timingTable(zi.t)}
${timingTable(si.t)}
`);
}

/** Figure 1b: 10 layers of 100. */
async function benchLayers(): Promise<void> {
  const res = await startRuns("layers", layered(), START_REPS, () => sleep(2000));
  const z = res.zinit.runs;
  const s = res.supervisord.runs;
  rows.push({ fig: "1b", what: `start 10 layers × 100 until all running (median of ${START_REPS})`, zinit: medianOf(z, "start"), sv: medianOf(s, "start"), unit: "ms", better: "lower", digits: 0 });
  rows.push({ fig: "6+", what: `shut down 10 layers × 100, SIGTERM to exit (median of ${START_REPS})`, zinit: medianOf(z, "stop"), sv: medianOf(s, "stop"), unit: "ms", better: "lower", digits: 0 });
  const ex = layered()[105]!;
  sections.push(`## 1b: 10 layers of 100

Services \`sL_i\` (layer L = 0..9, i = 0..99). In zinit each service of layer
L > 0 \`requires\` the service with the same index in layer L-1, so no service
starts before its requirement runs: 100 chains of depth 10. **supervisord has no
dependencies**: the layers get \`priority\` 10, 20, ..., 100, which only orders the
spawns (supervisord does not wait for a lower priority to be running before it
spawns the next); it is the closest thing it has. Same measurement as 1a,
${START_REPS} runs alternating; shutdown after 2 s idle.

- zinit: \`${res.zinit.cmd}\`
- supervisord: \`${res.supervisord.cmd}\`

${configBlock([
  { kind: "zinit", s: ex, file: `conf/${ex.name}.toml` },
  { kind: "supervisord", s: ex, file: "supervisord.conf" },
])}

${startTable(z, s)}

zinit stops in reverse dependency order (layer 9 first, each layer after its
dependents have exited); supervisord stops by descending priority.
`);
}

/** Figure 6: shutdown of 500. */
async function benchShutdown(): Promise<void> {
  const N = 500;
  const res: Record<Kind, { stop: number; code: number | null; start: number; cmd: string; left: number }> = {} as never;
  for (const kind of ["zinit", "supervisord"] as Kind[]) {
    log(`${kind}: shutdown of ${N}`);
    const sut = Sut.start(kind, "shutdown500", flat(N));
    const { ms } = await sut.waitRunning(N);
    await sleep(2000);
    const stop = await sut.terminate();
    const left = descendants(process.pid).filter((p) => p.cmd.includes(SLEEP_ARG)).length;
    log(`${kind}: shutdown of ${N} took ${fmt(stop.ms, 0)} ms (exit ${stop.code}, ${left} left)`);
    res[kind] = { stop: stop.ms, code: stop.code, start: ms, cmd: sut.command, left };
    await sweep(`${kind} shutdown 500`);
  }
  const z = res.zinit;
  const s = res.supervisord;
  rows.push({ fig: "6", what: "shut down 500 services, SIGTERM to server exit", zinit: z.stop, sv: s.stop, unit: "ms", better: "lower", digits: 0 });
  sections.push(`## 6: shutdown of 500 services

500 flat \`sleep\` services; once all run and 2 s have passed, SIGTERM to the
server; the time until the server process has exited (its exit status: zinit
${z.code}, supervisord ${s.code}; \`sleep\` processes still alive right after: zinit ${z.left},
supervisord ${s.left}). Both send SIGTERM to each service (zinit to its process
group), which \`sleep\` dies of at once.

- zinit: \`${z.cmd}\` then \`kill -TERM PID\`
- supervisord: \`${s.cmd}\` then \`kill -TERM PID\`

| | zinit | supervisord |
|---|---:|---:|
| all 500 running after (ms) | ${fmt(z.start, 0)} | ${fmt(s.start, 0)} |
| SIGTERM to exit (ms) | ${fmt(z.stop, 0)} | ${fmt(s.stop, 0)} |
`);
}

/** Figures 3 and 5: 100 services idle, then 20 SIGKILLs. */
async function benchIdleRestart(): Promise<void> {
  const N = 100;
  const RESTARTS = 20;
  const res: Record<
    Kind,
    { cpu: number; rssStart: number; rssEnd: number; lat: number[]; evLat: number[]; cmd: string; thr0: number; thr1: number }
  > = {} as never;
  for (const kind of ["zinit", "supervisord"] as Kind[]) {
    const stampDir = join(BASE, `${kind}-idle100-stamps`);
    mkdirSync(stampDir, { recursive: true });
    const services = flat(N).map((s, i) =>
      i < RESTARTS ? { ...s, exec: ["sh", "-c", `date +%s%N >> ${stampDir}/${s.name}; exec sleep ${SLEEP_ARG}`] } : s,
    );
    log(`${kind}: ${N} services, ${IDLE_S} s idle`);
    const sut = Sut.start(kind, "idle100", services);
    await sut.waitRunning(N);
    await sleep(SETTLE_MS);
    const rssStart = statusKb(sut.pid, "VmRSS");
    const thr0 = threads(sut.pid);
    const c0 = cpuMs(sut.pid);
    await sleep(IDLE_S * 1000);
    const cpu = cpuMs(sut.pid) - c0;
    const rssEnd = statusKb(sut.pid, "VmRSS");
    const thr1 = threads(sut.pid);
    log(`${kind}: ${fmt(cpu, 0)} ms CPU in ${IDLE_S} s idle`);

    if (kind === "zinit") await sut.subscribe();
    const lat: number[] = [];
    const evLat: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const name = `s_${i}`;
      const stampFile = join(stampDir, name);
      const before = readFileSync(stampFile, "utf8").trim().split("\n").length;
      const pid = await sut.pidOf(name);
      if (pid === null) throw new Error(`${kind}: ${name} has no pid`);
      const evFrom = sut.eventCount;
      await sleep(200);
      const tKill = realtimeMs();
      const tKillMono = now();
      process.kill(pid, "SIGKILL");
      let stamps: string[] = [];
      for (;;) {
        stamps = readFileSync(stampFile, "utf8").trim().split("\n");
        if (stamps.length > before) break;
        if (now() - tKillMono > 10_000) throw new Error(`${kind}: ${name} not restarted within 10 s`);
        await sleep(1);
      }
      lat.push(Number(BigInt(stamps[before]!) / 1000n) / 1000 - tKill);
      if (kind === "zinit") evLat.push((await sut.waitEvent((e) => e.name === name && e.to === "running", evFrom)) - tKillMono);
      // the new process is really there under the server
      for (let k = 0; k < 100; k++) {
        const p = await sut.pidOf(name);
        if (p !== null && p !== pid) break;
        await sleep(10);
      }
    }
    log(`${kind}: restart latency median ${fmt(median(lat), 2)} ms`);
    await sut.terminate();
    res[kind] = { cpu, rssStart, rssEnd, lat, evLat, cmd: sut.command, thr0, thr1 };
    await sweep(`${kind} idle 100`);
  }
  const z = res.zinit;
  const s = res.supervisord;
  rows.push({ fig: "3", what: `CPU time used in ${IDLE_S} s idle, 100 services`, zinit: z.cpu, sv: s.cpu, unit: "ms", better: "lower", digits: 0 });
  rows.push({ fig: "5", what: "SIGKILL of a service to its new process (median of 20)", zinit: median(z.lat), sv: median(s.lat), unit: "ms", better: "lower", digits: 2 });
  const ex = { ...sleepSvc("s_0"), exec: ["sh", "-c", `date +%s%N >> STAMPS/s_0; exec sleep ${SLEEP_ARG}`] };
  sections.push(`## 3 and 5: 100 services idle, then SIGKILL and restart

100 services; 80 are \`sleep ${SLEEP_ARG}\`, the 20 used for figure 5 are
\`sh -c 'date +%s%N >> STAMPS/NAME; exec sleep ${SLEEP_ARG}'\`. Once all run and
${SETTLE_MS / 1000} s have passed, utime+stime of the server (\`/proc/PID/stat\`, all
threads; resolution ${1000 / CLK_TCK} ms) is read before and after ${IDLE_S} s of idling.

Figure 5: for each of s_0..s_19 once (so no back-off count builds up): get its
pid through the API, wait 200 ms, read CLOCK_REALTIME, \`kill -9\` the pid; the
figure is the time until the new process wrote its \`date +%s%N\` stamp (same
clock), i.e. kill to the new process running its first command — the same
yardstick for both, and it includes the start of \`sh\` and \`date\` (a couple of
ms) for both. The new pid is then confirmed through the API. zinit has
\`restart_delay_ms = 0\`; supervisord \`autorestart=true\`, \`startsecs=0\`.

- zinit: \`${z.cmd}\`
- supervisord: \`${s.cmd}\`

${configBlock([
  { kind: "zinit", s: ex, file: "conf/s_0.toml" },
  { kind: "supervisord", s: ex, file: "supervisord.conf" },
])}

| | zinit | supervisord |
|---|---:|---:|
| CPU in ${IDLE_S} s idle (ms) | ${fmt(z.cpu, 0)} | ${fmt(s.cpu, 0)} |
| VmRSS at start / end of the idle window | ${mb(z.rssStart)} / ${mb(z.rssEnd)} | ${mb(s.rssStart)} / ${mb(s.rssEnd)} |
| threads at start / end of the idle window | ${z.thr0} / ${z.thr1} | ${s.thr0} / ${s.thr1} |
| kill to new process: median (ms) | ${fmt(median(z.lat), 2)} | ${fmt(median(s.lat), 2)} |
| min / max (ms) | ${fmt(min(z.lat), 2)} / ${fmt(max(z.lat), 2)} | ${fmt(min(s.lat), 2)} / ${fmt(max(s.lat), 2)} |

zinit only: kill to the \`running\` event arriving at an SDK \`events()\`
subscriber: median ${fmt(median(z.evLat), 2)} ms (min ${fmt(min(z.evLat), 2)}, max ${fmt(max(z.evLat), 2)}).

All 20 kill-to-new-process times, ms: zinit ${z.lat.map((x) => fmt(x, 1)).join(", ")};
supervisord ${s.lat.map((x) => fmt(x, 1)).join(", ")}.
`);
}

/** Figure 7: one service flooding stdout. */
async function benchFlood(): Promise<void> {
  const LINE = "some log line of about fifty bytes................"; // 50 chars + newline
  const res: Record<
    Kind,
    { ms: number; rate: number; rss0: number; rss1: number; rss5: number; hwm: number; cpu: number; check: string; cmd: string }
  > = {} as never;
  // the same pipeline without any supervisor, for scale
  const base = join(BASE, "flood-base");
  mkdirSync(base, { recursive: true });
  const baseline = (target: string) => {
    const t0 = now();
    execFileSync("sh", ["-c", `yes '${LINE}' | head -n ${FLOOD_LINES} > ${target}`]);
    return now() - t0;
  };
  const devnull = baseline("/dev/null");
  const toFile = baseline(join(base, "out.log"));
  rmSync(join(base, "out.log"));
  for (const kind of ["zinit", "supervisord"] as Kind[]) {
    const dir = join(BASE, `${kind}-flood-stamps`);
    mkdirSync(dir, { recursive: true });
    const logfile = join(BASE, `${kind}-flood`, "flood.log");
    const spec: ServiceSpec = {
      name: "flood",
      exec: ["sh", "-c", `date +%s%N > ${dir}/t0; yes '${LINE}' | head -n ${FLOOD_LINES}; date +%s%N > ${dir}/t1`],
      oneshot: true,
      autostart: false,
      logfile: kind === "supervisord" ? logfile : undefined,
    };
    log(`${kind}: flood of ${FLOOD_LINES} lines`);
    const sut = Sut.start(kind, "flood", [spec]);
    // wait for the socket
    for (let i = 0; ; i++) {
      try {
        if (kind === "zinit") await (await sut.client()).info();
        else await xmlrpc(sut.sock, "supervisor.getState");
        break;
      } catch (err) {
        if (i > 200) throw err;
        await sleep(50);
      }
    }
    await sleep(2000);
    const rss0 = statusKb(sut.pid, "VmRSS");
    const c0 = cpuMs(sut.pid);
    const tStart = now();
    await sut.startService("flood");
    let rssMax = rss0;
    // the shell creates t1 before `date` has written into it: wait for the whole line
    const done = () => existsSync(join(dir, "t1")) && readFileSync(join(dir, "t1"), "utf8").endsWith("\n");
    while (!done()) {
      rssMax = Math.max(rssMax, statusKb(sut.pid, "VmRSS"));
      if (now() - tStart > 300_000) throw new Error(`${kind}: flood did not end in 300 s`);
      await sleep(50);
    }
    const t0 = Number(readFileSync(join(dir, "t0"), "utf8").trim()) / 1e6;
    const t1 = Number(readFileSync(join(dir, "t1"), "utf8").trim()) / 1e6;
    // let the server drain what is left in the pipe
    await sleep(1000);
    const cpu = cpuMs(sut.pid) - c0;
    const rss1 = statusKb(sut.pid, "VmRSS");
    const hwm = Math.max(statusKb(sut.pid, "VmHWM"), rssMax);
    let check: string;
    if (kind === "zinit") {
      const lines: string[] = [];
      for await (const l of (await sut.client()).logs("flood", { lines: 1_000_000 })) lines.push(l.line);
      const ok = lines.length > 0 && lines.every((l) => l === LINE);
      check = `ring buffer holds ${lines.length} lines (buffer_lines default), all equal to the line written: ${ok}`;
    } else {
      const n = Number(execFileSync("wc", ["-l", logfile]).toString().trim().split(" ")[0]);
      check = `log file holds ${n} lines of ${FLOOD_LINES}`;
      rmSync(logfile);
    }
    await sleep(4000);
    const rss5 = statusKb(sut.pid, "VmRSS");
    await sut.terminate();
    const ms = t1 - t0;
    res[kind] = { ms, rate: FLOOD_LINES / (ms / 1000), rss0, rss1, rss5, hwm, cpu, check, cmd: sut.command };
    log(`${kind}: ${fmt(ms, 0)} ms, ${fmt(FLOOD_LINES / (ms / 1000), 0)} lines/s; ${check}`);
    await sweep(`${kind} flood`);
  }
  const z = res.zinit;
  const s = res.supervisord;
  rows.push({ fig: "7", what: `lines/s captured from one flooding service (${FLOOD_LINES} lines)`, zinit: z.rate, sv: s.rate, unit: "lines/s", better: "higher", digits: 0 });
  rows.push({ fig: "7+", what: "server peak RSS during the flood", zinit: z.hwm / 1024, sv: s.hwm / 1024, unit: "MB", better: "lower" });
  sections.push(`## 7: one service flooding stdout

A oneshot (zinit: \`oneshot = true\`, \`status = "stop"\`; supervisord:
\`autostart=false\`, \`autorestart=false\`) that writes ${FLOOD_LINES} lines of 51 bytes
(${fmt((FLOOD_LINES * 51) / 1e6, 0)} MB) to stdout, started through the API 2 s after
the server came up. The time is taken by the service itself (\`date +%s%N\` before
and after \`yes | head\`): the writer can only finish when the supervisor has read
all but the last pipe buffer, so this is the capture rate. zinit keeps the lines
in its ring buffer (\`forward = false\`, \`buffer_lines\` default 1000); supervisord
writes them to its log file (\`stdout_logfile\`, no rotation).

- zinit: \`${z.cmd}\`
- supervisord: \`${s.cmd}\`

${configBlock([
  { kind: "zinit", s: { name: "flood", exec: ["sh", "-c", `date +%s%N > STAMPS/t0; yes '${LINE}' | head -n ${FLOOD_LINES}; date +%s%N > STAMPS/t1`], oneshot: true, autostart: false }, file: "conf/flood.toml" },
  { kind: "supervisord", s: { name: "flood", exec: ["sh", "-c", `date +%s%N > STAMPS/t0; yes '${LINE}' | head -n ${FLOOD_LINES}; date +%s%N > STAMPS/t1`], oneshot: true, autostart: false, logfile: "DIR/flood.log" }, file: "supervisord.conf" },
])}

| | zinit | supervisord |
|---|---:|---:|
| time to write all lines (ms) | ${fmt(z.ms, 0)} | ${fmt(s.ms, 0)} |
| lines/s | ${fmt(z.rate, 0)} | ${fmt(s.rate, 0)} |
| server CPU used (ms) | ${fmt(z.cpu, 0)} | ${fmt(s.cpu, 0)} |
| server CPU per line (µs) | ${fmt((z.cpu * 1000) / FLOOD_LINES, 2)} | ${fmt((s.cpu * 1000) / FLOOD_LINES, 2)} |
| server VmRSS before / 1 s after / 5 s after | ${mb(z.rss0)} / ${mb(z.rss1)} / ${mb(z.rss5)} | ${mb(s.rss0)} / ${mb(s.rss1)} / ${mb(s.rss5)} |
| server peak RSS (VmHWM, and sampled every 50 ms) | ${mb(z.hwm)} | ${mb(s.hwm)} |
| check | ${z.check} | ${s.check} |

Without a supervisor the same pipeline takes ${fmt(devnull, 0)} ms into /dev/null and
${fmt(toFile, 0)} ms into a file (${fmt(FLOOD_LINES / (devnull / 1000), 0)} and ${fmt(FLOOD_LINES / (toFile / 1000), 0)} lines/s).
`);
}

/** Issue 5: tcp health probes of 1,000 services and reload. */
async function benchHealthReload(): Promise<void> {
  const N = 1000;
  let accepted = 0;
  const listener: Server = createServer((sock) => {
    accepted++;
    sock.on("error", () => {});
    sock.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const port = (listener.address() as { port: number }).port;
  const services = flat(N).map((s) => ({ ...s, health: { port } }));
  log(`zinit: ${N} services with tcp health on 127.0.0.1:${port}`);
  const sut = Sut.start("zinit", "health1000", services);
  const { ms: startMs } = await sut.waitRunning(N);
  log(`zinit: all ${N} healthy after ${fmt(startMs, 0)} ms`);
  await sleep(SETTLE_MS);
  const rss0 = statusKb(sut.pid, "VmRSS");
  const a0 = accepted;
  const c0 = cpuMs(sut.pid);
  const t0 = now();
  // VmRSS once a second (reading /proc costs the server nothing)
  const rssSamples: number[] = [];
  while (now() - t0 < HEALTH_S * 1000 - 1) {
    await sleep(Math.min(1000, HEALTH_S * 1000 - (now() - t0)));
    rssSamples.push(statusKb(sut.pid, "VmRSS"));
  }
  const cpu = cpuMs(sut.pid) - c0;
  const probes = accepted - a0;
  const wall = now() - t0;
  const rss1 = statusKb(sut.pid, "VmRSS");
  const running = await sut.countRunning();
  log(`zinit: ${fmt(cpu, 0)} ms CPU for ${probes} probes in ${fmt(wall / 1000, 1)} s`);

  // reload: a no-op reload, then three reloads with 10 changed files each
  await sut.subscribe();
  const conf = join(sut.dir, "conf");
  const reloadCmd = [ZINIT, "--socket", sut.sock, "reload"];
  const timeReload = () => {
    const t = now();
    const r = spawnSync(reloadCmd[0]!, reloadCmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    return { ms: now() - t, out: `${r.stdout}${r.stderr}`.trim(), code: r.status };
  };
  const noop: number[] = [];
  for (let i = 0; i < 3; i++) noop.push(timeReload().ms);
  const changed: { ms: number; settle: number; out: string; code: number | null }[] = [];
  for (let round = 0; round < 3; round++) {
    const names = Array.from({ length: 10 }, (_, k) => `s_${round * 100 + k * 7}`);
    for (const name of names) {
      const spec = { ...sleepSvc(name), exec: ["sleep", String(Number(SLEEP_ARG) + round + 1)], health: { port } };
      writeFileSync(join(conf, `${name}.toml`), zinitToml(spec));
    }
    const from = sut.eventCount;
    const t = now();
    const r = timeReload();
    // every changed service is running (healthy) again
    let last = 0;
    for (const name of names) last = Math.max(last, await sut.waitEvent((e) => e.name === name && e.to === "running", from, 30_000));
    changed.push({ ...r, settle: last - t });
    log(`zinit: reload with 10 changed: ${fmt(r.ms, 0)} ms, all 10 running again after ${fmt(last - t, 0)} ms`);
    await sleep(1500);
  }
  const stop = await sut.terminate();
  listener.close();
  await sweep("zinit health 1000");

  const perProbe = cpu / probes;
  // the same server with 1,000 services and no health checks (section "start"), if measured
  const netPerProbe = zinitIdle1000 ? (cpu - (zinitIdle1000.cpuMs * wall) / 1000 / zinitIdle1000.seconds) / probes : NaN;
  const expected = (N * wall) / 1000;
  healthSections.push(`## tcp health probes: 1,000 services probed every second

1,000 services (\`sleep ${SLEEP_ARG}\`), each with a tcp health check every
1000 ms against one listener on 127.0.0.1:${port}. The listener is a \`node:net\`
server inside the benchmark process (bun), which accepts and closes each
connection and counts them: the probe count below is what arrived, not what
was planned. Once all 1,000 were running (healthy, after ${fmt(startMs, 0)} ms) and
${SETTLE_MS / 1000} s had passed, utime+stime of the server (\`/proc/PID/stat\`, all threads) was
read before and after ${HEALTH_S} s.

- \`${sut.command}\`

\`\`\`toml
${zinitToml({ ...sleepSvc("s_0"), health: { port } }).trim()}
\`\`\`

| | |
|---|---:|
| window (s) | ${fmt(wall / 1000, 1)} |
| probes accepted by the listener | ${probes} (${fmt((100 * probes) / expected, 1)} % of 1 per service per second) |
| server CPU in the window (ms) | ${fmt(cpu, 0)} |
| server CPU share of one core | ${fmt((100 * cpu) / wall, 1)} % |
| **CPU per probe** | **${fmt(perProbe * 1000, 1)} µs** |
| CPU per probe less the idle cost of 1,000 services without health checks (${zinitIdle1000 ? `${fmt(zinitIdle1000.cpuMs, 0)} ms per ${zinitIdle1000.seconds} s, figure 2's window in \`bench/supervisor.md\`` : "not measured in this run"}) | ${fmt(netPerProbe * 1000, 1)} µs |
| services running at the end | ${running} of ${N} |
| server VmRSS at start / end of the window | ${mb(rss0)} / ${mb(rss1)} |
| server VmRSS min / max, sampled every second in the window | ${mb(min(rssSamples))} / ${mb(max(rssSamples))} |

Each probe leaves garbage that the collector takes back in batches, so VmRSS
rises by tens of MB and drops again (a sawtooth), which the min / max above
shows; a steady climb over the window would be a leak.


## reload: 1,000 services, 10 changed

On the same server, after the window: \`${showCmd(reloadCmd.join(" "))}\` timed as a
whole (CLI start, \`system.reload\`, answer, CLI exit). First 3 reloads with
nothing changed, then 3 rounds that each rewrite 10 files (their \`exec\` becomes
\`sleep ${Number(SLEEP_ARG) + 1}\`, then \`${Number(SLEEP_ARG) + 2}\`, then \`${Number(SLEEP_ARG) + 3}\`), so zinit restarts those 10. "running again"
is from the start of the CLI until an SDK \`events()\` subscriber has seen all 10 changed
services reach \`running\` again (which takes their first passing health probe).

| | ms |
|---|---:|
| reload, nothing changed (median of 3) | ${fmt(median(noop), 0)} (${noop.map((x) => fmt(x, 0)).join(", ")}) |
| reload, 10 changed (median of 3) | ${fmt(median(changed.map((c) => c.ms)), 0)} (${changed.map((c) => fmt(c.ms, 0)).join(", ")}) |
| reload until the 10 run again (median of 3) | ${fmt(median(changed.map((c) => c.settle)), 0)} (${changed.map((c) => fmt(c.settle, 0)).join(", ")}) |

Output of the last \`zinit reload\` (exit ${changed.at(-1)?.code}):

\`\`\`
${changed.at(-1)?.out}
\`\`\`

Shutdown of these 1,000 afterwards: ${fmt(stop.ms, 0)} ms (exit ${stop.code}).
`);
  healthRows.push(
    ["CPU per tcp probe (1,000 services, 1 probe/s each)", `${fmt(perProbe * 1000, 1)} µs`],
    ["the same, less the idle cost of 1,000 services without health checks", `${fmt(netPerProbe * 1000, 1)} µs`],
    ["reload, 1,000 services, 10 changed, until the 10 run again (median)", `${fmt(median(changed.map((c) => c.settle)), 0)} ms`],
    [`server CPU share during ${HEALTH_S} s of probing`, `${fmt((100 * cpu) / wall, 1)} % of one core`],
    ["reload, 1,000 services, 10 changed (CLI wall, median)", `${fmt(median(changed.map((c) => c.ms)), 0)} ms`],
    ["reload, nothing changed (CLI wall, median)", `${fmt(median(noop), 0)} ms`],
  );
}
const healthRows: [string, string][] = [];
let zinitIdle1000: { cpuMs: number; seconds: number } | null = null;

/** The interpreter supervisord runs on (its shebang), with its version. */
function supervisordPython(): string {
  try {
    const path = execFileSync("sh", ["-c", "command -v supervisord"]).toString().trim();
    const interp = readFileSync(path, "utf8").split("\n")[0]!.replace(/^#!\s*/, "").split(" ")[0]!;
    return `${interp} ${sh(interp, ["-c", "import sys; print(sys.version.split()[0])"])}`;
  } catch {
    return "python (version unknown)";
  }
}

// ---------------------------------------------------------------- main

function machineBlock(started: number): string {
  return `- date: ${machine.date}
- kernel (\`uname -r\`): ${machine.kernel}
- cpu: ${machine.cpu}
- nproc: ${machine.nproc}
- memory: ${mb(Number(machine.memory))}
- load average at start: ${machine.loadStart}; at the end: ${loadNow()}
- ${machine.zinit} (bun ${machine.bun}); ${REL_ZINIT} built by \`scripts/build\` just before
- supervisord ${machine.supervisord} (Debian package \`supervisor\`, on ${supervisordPython()})
- ${HYPERFINE ? machine.hyperfine : "hyperfine not installed"}
- whole run: ${fmt((now() - started) / 60000, 1)} min; command: \`npm run bench\` (= \`bash scripts/bench\`, which runs \`${relative(ROOT, import.meta.path)}\`${process.argv.length > 2 ? ` with \`${process.argv.slice(2).join(" ")}\`` : ""})`;
}

async function main(): Promise<void> {
  const started = now();
  setChildSubreaper();
  const stop = (sig: string) => {
    for (const p of descendants(process.pid)) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {}
    }
    rmSync(BASE, { recursive: true, force: true });
    process.stderr.write(`bench: interrupted by ${sig}; every process it started was killed\n`);
    process.exit(130);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  log(`machine: ${machine.kernel}, ${machine.cpu}, nproc ${machine.nproc}, load ${machine.loadStart}; temp dir ${BASE}`);
  try {
    if (want("start")) await benchStartFlat();
    if (want("layers")) await benchLayers();
    if (want("shutdown")) await benchShutdown();
    if (want("idle")) await benchIdleRestart();
    if (want("flood")) await benchFlood();
    if (want("health")) await benchHealthReload();
  } finally {
    await sweep("end");
  }

  const table = rows
    .map((r) => {
      const ratio = r.zinit / r.sv;
      const d = r.digits ?? 1;
      return `| ${r.fig} | ${r.what} | ${fmt(r.zinit, d)} ${r.unit} | ${fmt(r.sv, d)} ${r.unit} | ${fmt(ratio, 2)} | ${r.better} |`;
    })
    .join("\n");
  const left = leftovers.length ? leftovers.map((l) => `- ${l}`).join("\n") : "- none: every section ended with no process of its own left";
  const machineText = machineBlock(started);
  mkdirSync(join(ROOT, "bench"), { recursive: true });
  if (rows.length) {
    writeFileSync(
      join(ROOT, "bench/supervisor.md"),
      `# zinit vs supervisord

Both measured in the same run of \`scripts/bench-supervisor.ts\`, one after the
other (never at the same time), on this machine:

${machineText}

Ratio = zinit / supervisord. "better" says which direction is better for that
figure (for lines/s a ratio above 1 favours zinit, for everything else below 1).
Figures marked \`+\` are extra measurements taken on the way.

| # | figure | zinit | supervisord | zinit/supervisord | better |
|---|---|---:|---:|---:|---|
${table}

Processes left after a section:
${left}
${notes.length ? `\nNotes:\n${notes.map((n) => `- ${n}`).join("\n")}\n` : ""}
${sections.join("\n")}`,
    );
    log("wrote bench/supervisor.md");
  }
  if (healthSections.length) {
    writeFileSync(
      join(ROOT, "bench/health-reload.md"),
      `# zinit: health-probe cost and reload time

zinit only (supervisord has neither health checks nor dependency-aware
reload). Measured by \`scripts/bench-supervisor.ts\` on this machine:

${machineText}

| figure | value |
|---|---:|
${healthRows.map(([a, b]) => `| ${a} | ${b} |`).join("\n")}

${healthSections.join("\n")}`,
    );
    log("wrote bench/health-reload.md");
  }
  rmSync(BASE, { recursive: true, force: true });
  process.exit(0);
}

await main();
