/**
 * File logging with rotation, zinit against supervisord, in one run (one server
 * after the other, never at the same time). Writes bench/log-file.md.
 *
 *   node_modules/.bin/bun scripts/bench/log-file.ts [--lines 5000000] [--flood-seconds 60] [--quick] [--out DIR] [--zinit PATH]
 *
 * 1. Throughput: a oneshot writes `--lines` lines of 51 bytes as fast as it can
 *    (`yes | head`); each server appends them to a log file that rotates at
 *    10 MiB keeping 5 files (zinit: `[logging] file`, `max_size`, `keep`;
 *    supervisord: `stdout_logfile`, `stdout_logfile_maxbytes`,
 *    `stdout_logfile_backups`). The figure is lines written to the file per
 *    second, from the service's first line to the last write into the file (its
 *    mtime): zinit drops lines when the disk is slower than the service, and only
 *    the lines that reached the file count.
 * 2. Memory: a service floods (`yes`, endless) for `--flood-seconds`; the
 *    server's RSS before, at its highest, at the end of the flood and after.
 *
 * `--quick` checks that the benchmark works (200,000 lines, a 5 s flood; report in
 * a temp dir unless --out names one). Every server runs in a temp dir with its
 * own socket; nothing touches /run/zinit.sock or /etc/zinit. This process is a
 * child subreaper and kills (by pid) whatever is left below it at the end.
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";
import { ZinitClient } from "../../src/sdk/client.ts";
import { setChildSubreaper } from "../../src/sys/libc.ts";
import { ROOT, ZINIT as BUILT } from "../../test/helpers/paths.ts";
import { svCommand, xmlrpc } from "./systems.ts";

// ---------------------------------------------------------------- options

const USAGE = "usage: bun scripts/bench/log-file.ts [--lines 5000000] [--flood-seconds 60] [--quick] [--out DIR] [--zinit PATH]";
const { values: v } = parseArgs({
  options: {
    lines: { type: "string" },
    "flood-seconds": { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    /** another build to measure (to compare two), instead of dist/zinit */
    zinit: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (v.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const QUICK = v.quick!;
function positive(name: string, text: string | undefined, full: number, quick: number): number {
  if (text === undefined) return QUICK ? quick : full;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`bench: --${name} takes a positive number, not ${JSON.stringify(text)}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}
const ZINIT = v.zinit ?? BUILT;
const LINES = Math.round(positive("lines", v.lines, 5_000_000, 200_000));
const FLOOD_S = positive("flood-seconds", v["flood-seconds"], 60, 5);
const OUT = v.out ?? (QUICK ? mkdtempSync(join(tmpdir(), "zinit-bench-quick-")) : join(ROOT, "bench"));

const LINE = "some log line of about fifty bytes................"; // 50 chars + newline
const MAX_SIZE = 10 * 1024 * 1024;
const KEEP = 5;
const BASE = mkdtempSync(join(tmpdir(), "zinit-bench-logfile-"));

// ---------------------------------------------------------------- small tools

const now = () => performance.now();
const sleep = (ms: number) => Bun.sleep(ms);
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const mb = (kb: number) => `${fmt(kb / 1024, 1)} MB`;
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "n/a";
  }
}
const CLK_TCK = Number(sh("getconf", ["CLK_TCK"])) || 100;

function statusKb(pid: number, key: "VmRSS" | "VmHWM"): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : Number.NaN;
}
/** utime+stime of a process, ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** Every live descendant of this process, by walking /proc. */
function descendants(): number[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[0] === "Z") continue;
      const ppid = Number(f[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {}
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of kids.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(process.pid);
  return out;
}
const leftovers: string[] = [];
async function sweep(what: string): Promise<void> {
  for (let i = 0; i < 20 && descendants().length > 0; i++) await sleep(100);
  const left = descendants();
  if (left.length === 0) return;
  leftovers.push(`${what}: ${left.length} process(es) left, killed: ${left.join(", ")}`);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

// ---------------------------------------------------------------- the two servers

type Kind = "zinit" | "supervisord";

interface Flood {
  /** the service's argv */
  exec: string[];
  oneshot: boolean;
  /** the log file, in the server's dir */
  logfile: string;
}

function zinitToml(f: Flood): string {
  return `[service]
exec = ${JSON.stringify(f.exec)}
${f.oneshot ? "oneshot = true\n" : ""}status = "stop"

[lifecycle]
restart = "never"

[logging]
forward = false
file = ${JSON.stringify(f.logfile)}
max_size = ${MAX_SIZE}
keep = ${KEEP}
`;
}

function svConfig(dir: string, f: Flood): string {
  return `[unix_http_server]
file=${dir}/supervisor.sock
[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:flood]
command=${svCommand(f.exec)}
autostart=false
autorestart=false
startsecs=0
stdout_logfile=${f.logfile}
stdout_logfile_maxbytes=${MAX_SIZE}
stdout_logfile_backups=${KEEP}
`;
}

class Server {
  private client: ZinitClient | null = null;
  private constructor(
    readonly kind: Kind,
    readonly dir: string,
    readonly sock: string,
    readonly proc: Subprocess,
    readonly command: string,
  ) {}

  static async start(kind: Kind, label: string, flood: (dir: string) => Flood): Promise<{ server: Server; flood: Flood }> {
    const dir = join(BASE, `${kind}-${label}`);
    mkdirSync(dir, { recursive: true });
    const f = flood(dir);
    let argv: string[];
    let sock: string;
    if (kind === "zinit") {
      mkdirSync(join(dir, "conf"));
      writeFileSync(join(dir, "conf", "flood.toml"), zinitToml(f));
      sock = join(dir, "zinit.sock");
      argv = [ZINIT, "server", "--config-dir", join(dir, "conf"), "--socket", sock];
    } else {
      // supervisord refuses to start when the log file's directory is missing.
      mkdirSync(f.logfile.slice(0, f.logfile.lastIndexOf("/")), { recursive: true });
      writeFileSync(join(dir, "supervisord.conf"), svConfig(dir, f));
      sock = join(dir, "supervisor.sock");
      argv = ["supervisord", "-n", "-c", join(dir, "supervisord.conf")];
    }
    const out = openSync(join(dir, "server.out"), "w");
    const proc = Bun.spawn(argv, { stdin: "ignore", stdout: out, stderr: out });
    closeSync(out);
    const shown = argv.map((a) => (a === ZINIT ? relative(ROOT, ZINIT) : a)).join(" ");
    const server = new Server(kind, dir, sock, proc, `${shown} >${join(dir, "server.out")} 2>&1`);
    for (let i = 0; ; i++) {
      try {
        if (kind === "zinit") await (await server.zinit()).info();
        else await xmlrpc(sock, "supervisor.getState");
        break;
      } catch (err) {
        if (i > 200 || proc.exitCode !== null) throw new Error(`${kind} did not come up (see ${dir}/server.out): ${err}`);
        await sleep(50);
      }
    }
    return { server, flood: f };
  }

  get pid(): number {
    return this.proc.pid;
  }

  async zinit(): Promise<ZinitClient> {
    if (this.client && !this.client.closed) return this.client;
    this.client = await ZinitClient.connect(this.sock);
    return this.client;
  }

  async startFlood(): Promise<void> {
    if (this.kind === "zinit") await (await this.zinit()).start("flood");
    else await xmlrpc(this.sock, "supervisor.startProcess", ["<string>flood</string>", "<boolean>0</boolean>"]);
  }

  async stopFlood(): Promise<void> {
    if (this.kind === "zinit") await (await this.zinit()).stop("flood");
    else await xmlrpc(this.sock, "supervisor.stopProcess", ["<string>flood</string>", "<boolean>1</boolean>"]);
  }

  /** zinit only: the log file's counters from `status`. */
  async logFile(): Promise<{ size: number; dropped: number; errors: number; error: string | null }> {
    const st = await (await this.zinit()).status("flood");
    return st.log_file ?? { size: 0, dropped: 0, errors: 0, error: "no log_file in status" };
  }

  async terminate(): Promise<void> {
    this.client?.close();
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 60_000);
    await this.proc.exited;
    clearTimeout(timer);
  }
}

/** The log file and its rotated files, with their sizes. */
function logFiles(path: string): { name: string; bytes: number }[] {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const base = path.slice(path.lastIndexOf("/") + 1);
  return readdirSync(dir)
    .filter((n) => n === base || n.startsWith(`${base}.`))
    .sort()
    .map((n) => ({ name: n, bytes: statSync(join(dir, n)).size }));
}

/** Waits until the log file has not changed for `quietMs`; its mtime (epoch ms, ns precision) is the last write. */
async function lastWrite(path: string, quietMs = 500): Promise<number> {
  let last = "";
  let since = now();
  for (;;) {
    const st = existsSync(path) ? statSync(path, { bigint: true }) : null;
    const key = st ? `${st.ino}:${st.size}:${st.mtimeNs}` : "none";
    if (key !== last) {
      last = key;
      since = now();
    } else if (now() - since >= quietMs && st) {
      return Number(st.mtimeNs / 1000n) / 1000;
    }
    await sleep(10);
  }
}

// ---------------------------------------------------------------- 1: throughput

interface Throughput {
  written: number;
  dropped: number;
  captureMs: number;
  fileMs: number;
  rate: number;
  cpu: number;
  rss0: number;
  hwm: number;
  files: { name: string; bytes: number }[];
  check: string;
  cmd: string;
}

async function throughput(kind: Kind): Promise<Throughput> {
  log(`${kind}: ${LINES} lines into a rotating log file`);
  const stamps = join(BASE, `${kind}-stamps`);
  mkdirSync(stamps, { recursive: true });
  const { server, flood } = await Server.start(kind, "throughput", (dir) => ({
    exec: ["sh", "-c", `date +%s%N > ${stamps}/t0; yes '${LINE}' | head -n ${LINES}; date +%s%N > ${stamps}/t1`],
    oneshot: true,
    logfile: join(dir, "log", "flood.log"),
  }));
  await sleep(2000);
  const rss0 = statusKb(server.pid, "VmRSS");
  const c0 = cpuMs(server.pid);
  await server.startFlood();
  let rssMax = rss0;
  const t1File = join(stamps, "t1");
  const started = now();
  while (!(existsSync(t1File) && readFileSync(t1File, "utf8").endsWith("\n"))) {
    rssMax = Math.max(rssMax, statusKb(server.pid, "VmRSS"));
    if (now() - started > 600_000) throw new Error(`${kind}: the flood did not end in 600 s`);
    await sleep(50);
  }
  const done = await lastWrite(flood.logfile);
  const cpu = cpuMs(server.pid) - c0;
  const hwm = Math.max(statusKb(server.pid, "VmHWM"), rssMax);
  const t0 = Number(readFileSync(join(stamps, "t0"), "utf8").trim()) / 1e6;
  const t1 = Number(readFileSync(t1File, "utf8").trim()) / 1e6;
  const files = logFiles(flood.logfile);
  const tail = readFileSync(flood.logfile, "utf8").split("\n").filter(Boolean).at(-1) ?? "";
  let dropped = 0;
  let check: string;
  if (kind === "zinit") {
    const lf = await server.logFile();
    dropped = lf.dropped;
    check = `status: ${lf.dropped} dropped, ${lf.errors} write errors; the last line of the file ends with the line written: ${tail.endsWith(` out ${LINE}`)}`;
  } else {
    check = `the last line of the file is the line written: ${tail === LINE}`;
  }
  const oversized = files.filter((f) => f.bytes > MAX_SIZE).map((f) => f.name);
  check += `; ${files.length} files (${KEEP} rotated kept)${oversized.length ? `, over max_size: ${oversized.join(", ")}` : ", none over max_size"}`;
  await server.terminate();
  await sweep(`${kind} throughput`);
  const written = LINES - dropped;
  const fileMs = done - t0;
  const r: Throughput = {
    written,
    dropped,
    captureMs: t1 - t0,
    fileMs,
    rate: written / (fileMs / 1000),
    cpu,
    rss0,
    hwm,
    files,
    check,
    cmd: server.command,
  };
  log(`${kind}: ${fmt(r.rate, 0)} lines/s written (${written} of ${LINES}, ${fmt(fileMs, 0)} ms); ${check}`);
  return r;
}

// ---------------------------------------------------------------- 2: memory over a long flood

interface Memory {
  before: number;
  max: number;
  endOfFlood: number;
  after: number;
  samples: number[];
  cpu: number;
  /** rotated files at the end of the flood (at most KEEP) */
  rotated: number;
  dropped: number | null;
  cmd: string;
}

async function memory(kind: Kind): Promise<Memory> {
  log(`${kind}: ${FLOOD_S} s of flooding into a rotating log file`);
  const { server, flood } = await Server.start(kind, "memory", (dir) => ({
    exec: ["sh", "-c", `exec yes '${LINE}'`],
    oneshot: false,
    logfile: join(dir, "log", "flood.log"),
  }));
  await sleep(2000);
  const before = statusKb(server.pid, "VmRSS");
  const c0 = cpuMs(server.pid);
  await server.startFlood();
  const samples: number[] = [];
  const t0 = now();
  // One sample at the end of each second of the flood (the last one is the end of the flood).
  for (let i = 1; i < Math.ceil(FLOOD_S); i++) {
    await sleep(Math.max(0, t0 + i * 1000 - now()));
    samples.push(statusKb(server.pid, "VmRSS"));
  }
  await sleep(Math.max(0, t0 + FLOOD_S * 1000 - now()));
  const endOfFlood = statusKb(server.pid, "VmRSS");
  const rotated = logFiles(flood.logfile).length - 1;
  const dropped = kind === "zinit" ? (await server.logFile()).dropped : null;
  await server.stopFlood();
  await sleep(2000);
  const after = statusKb(server.pid, "VmRSS");
  const cpu = cpuMs(server.pid) - c0;
  await server.terminate();
  await sweep(`${kind} memory`);
  const m: Memory = { before, max: Math.max(...samples, endOfFlood), endOfFlood, after, samples: [...samples, endOfFlood], cpu, rotated, dropped, cmd: server.command };
  log(`${kind}: RSS ${mb(before)} before, ${mb(m.max)} at most, ${mb(endOfFlood)} at the end, ${mb(after)} after`);
  return m;
}

// ---------------------------------------------------------------- report

function machineBlock(startedAt: number): string {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "n/a";
  const memKb = Number(readFileSync("/proc/meminfo", "utf8").match(/^MemTotal:\s*(\d+) kB/m)?.[1] ?? Number.NaN);
  const fs = sh("df", ["--output=fstype", BASE]).split("\n").at(-1) ?? "n/a";
  const args = process.argv.slice(2);
  return `- date: ${new Date().toISOString()}
- kernel (\`uname -r\`): ${sh("uname", ["-r"])}
- cpu: ${cpu}; nproc: ${sh("nproc", [])}; memory: ${mb(memKb)}
- load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}
- ${sh(ZINIT, ["version"])} (bun ${Bun.version}); supervisord ${sh("supervisord", ["--version"])} (Debian package \`supervisor\`)
- log files on ${fs} (\`${tmpdir()}\`)
- whole run: ${fmt((now() - startedAt) / 60000, 1)} min; command: \`${relative(ROOT, import.meta.path)}${args.length ? ` ${args.join(" ")}` : ""}\`${QUICK ? "\n\n**Quick run (`--quick`): a check that the benchmark works, not a measurement.**" : ""}`;
}

function report(t: Record<Kind, Throughput>, m: Record<Kind, Memory>, startedAt: number): string {
  const z = t.zinit;
  const s = t.supervisord;
  const zm = m.zinit;
  const sm = m.supervisord;
  const row = (what: string, zv: number, sv: number, unit: string, better: string, d = 1) =>
    `| ${what} | ${fmt(zv, d)} ${unit} | ${fmt(sv, d)} ${unit} | ${fmt(zv / sv, 2)} | ${better} |`;
  const files = (x: Throughput) => x.files.map((f) => `${f.name} ${fmt(f.bytes / 1048576, 2)} MiB`).join(", ");
  return `# zinit vs supervisord: file logging with rotation

Both measured by \`scripts/bench/log-file.ts\` in one run, one server after the
other, on this machine:

${machineBlock(startedAt)}

Ratio = zinit / supervisord.

| figure | zinit | supervisord | zinit/supervisord | better |
|---|---:|---:|---:|---|
${row(`lines/s written to a rotating log file (${LINES} lines of 51 bytes)`, z.rate, s.rate, "lines/s", "higher", 0)}
${row("lines dropped on the way", z.dropped, s.written === LINES ? 0 : Number.NaN, "lines", "lower", 0)}
${row("server CPU per line written", (z.cpu * 1000) / z.written, (s.cpu * 1000) / s.written, "µs", "lower", 2)}
${row("server peak RSS during that flood", z.hwm / 1024, s.hwm / 1024, "MB", "lower")}
${row(`server RSS before ${FLOOD_S} s of flooding`, zm.before / 1024, sm.before / 1024, "MB", "lower")}
${row(`server RSS at the end of ${FLOOD_S} s of flooding`, zm.endOfFlood / 1024, sm.endOfFlood / 1024, "MB", "lower")}
${row("server RSS 2 s after the flood stopped", zm.after / 1024, sm.after / 1024, "MB", "lower")}

## 1: lines per second into a rotating log file

A oneshot writes ${LINES} lines of 51 bytes with \`yes | head\`, started through
each server's API 2 s after it came up. zinit appends each line to
\`[logging] file\` as \`TIME STREAM TEXT\` (30 bytes more per line: an RFC 3339
time and \`out\`), rotating before ${MAX_SIZE} bytes (\`max_size\`) and keeping
${KEEP} files (\`keep\`), with \`forward = false\`; supervisord writes the raw
output to \`stdout_logfile\` with \`stdout_logfile_maxbytes=${MAX_SIZE}\` and
\`stdout_logfile_backups=${KEEP}\`. The time runs from the service's first line
(\`date +%s%N\` before \`yes\`) to the last write into the log file (its mtime, once
it stopped changing). zinit never makes the service wait for the disk: when its
1 MiB queue is full it drops lines and counts them, so only the lines that
reached the file count here; supervisord reads the pipe only as fast as it
writes the file, so its service waits instead and nothing is dropped.

- zinit: \`${z.cmd}\`
- supervisord: \`${s.cmd}\`

| | zinit | supervisord |
|---|---:|---:|
| service done writing after (ms) | ${fmt(z.captureMs, 0)} | ${fmt(s.captureMs, 0)} |
| last write into the file after (ms) | ${fmt(z.fileMs, 0)} | ${fmt(s.fileMs, 0)} |
| lines in the file (written) / dropped | ${z.written} / ${z.dropped} | ${s.written} / 0 |
| lines/s written | ${fmt(z.rate, 0)} | ${fmt(s.rate, 0)} |
| MB/s written (zinit's lines are 81 bytes, supervisord's 51) | ${fmt((z.rate * 81) / 1e6, 1)} | ${fmt((s.rate * 51) / 1e6, 1)} |
| server CPU (ms) | ${fmt(z.cpu, 0)} | ${fmt(s.cpu, 0)} |
| server VmRSS before / peak | ${mb(z.rss0)} / ${mb(z.hwm)} | ${mb(s.rss0)} / ${mb(s.hwm)} |
| files at the end | ${files(z)} | ${files(s)} |
| check | ${z.check} | ${s.check} |

## 2: memory over ${FLOOD_S} s of flooding

The same servers and log settings; the service is \`yes\` without end, started
through the API 2 s after the server came up, stopped after ${FLOOD_S} s. VmRSS of
the server, sampled every second.

- zinit: \`${zm.cmd}\`
- supervisord: \`${sm.cmd}\`

| | zinit | supervisord |
|---|---:|---:|
| VmRSS before | ${mb(zm.before)} | ${mb(sm.before)} |
| VmRSS at most during the flood | ${mb(zm.max)} | ${mb(sm.max)} |
| VmRSS at the end of the flood | ${mb(zm.endOfFlood)} | ${mb(sm.endOfFlood)} |
| VmRSS 2 s after the service stopped | ${mb(zm.after)} | ${mb(sm.after)} |
| server CPU during the flood (ms) | ${fmt(zm.cpu, 0)} | ${fmt(sm.cpu, 0)} |
| rotated files at the end (${KEEP} kept) | ${zm.rotated} | ${sm.rotated} |
| lines dropped (zinit's status; supervisord makes the service wait instead) | ${zm.dropped ?? "n/a"} | – |

VmRSS each second (MB): zinit ${zm.samples.map((k) => fmt(k / 1024, 0)).join(", ")};
supervisord ${sm.samples.map((k) => fmt(k / 1024, 0)).join(", ")}.

Processes left after a step:
${leftovers.length ? leftovers.map((l) => `- ${l}`).join("\n") : "- none"}
`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const startedAt = now();
  setChildSubreaper();
  const stop = (sig: string) => {
    for (const pid of descendants()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    rmSync(BASE, { recursive: true, force: true });
    process.stderr.write(`bench: interrupted by ${sig}; every process it started was killed\n`);
    process.exit(130);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  log(`temp dir ${BASE}${QUICK ? "; quick run" : ""}`);
  try {
    const t = { zinit: await throughput("zinit"), supervisord: await throughput("supervisord") };
    const m = { zinit: await memory("zinit"), supervisord: await memory("supervisord") };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "log-file.md"), report(t, m, startedAt));
    log(`wrote ${join(OUT, "log-file.md")}`);
  } finally {
    await sweep("end");
    rmSync(BASE, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
