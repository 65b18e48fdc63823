/**
 * Reads processes from /proc, for tests and benchmarks: who a process is (state,
 * parent, group, session), what runs below it, its argv, environment, ids, memory
 * and CPU time. Every reader takes a host pid. A process can vanish between
 * listing /proc and reading its files: the listing readers skip it, the single
 * readers say so (null, or `false` for `alive`) where a test asks "is it still
 * there?", and throw where a value is expected.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcInfo {
  pid: number;
  /** one letter from /proc/PID/stat: R, S, D, Z, T, ... */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  comm: string;
}

/** The fields after "(comm) " in /proc/PID/stat, from the state on (field 3 of proc(5) is index 0). */
function statFields(text: string): string[] {
  // comm may hold spaces and parentheses: the last ")" ends it
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** /proc/PID/stat parsed; null when the process is gone. Zombies included. */
export function procInfo(pid: number | string): ProcInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const comm = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
  const f = statFields(text);
  return { pid: Number(pid), comm, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]) };
}

/** Every pid in /proc (of this PID namespace's /proc mount). */
export function pids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) if (/^\d+$/.test(name)) out.push(Number(name));
  return out;
}

export function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of pids()) {
    const p = procInfo(pid);
    if (p) out.push(p);
  }
  return out;
}

/** Not gone and not a zombie: a zombie is dead for every purpose of a test. */
export function alive(pid: number): boolean {
  const p = procInfo(pid);
  return p !== null && p.state !== "Z";
}

/** Every process (zombies included) in process group `pgid`. */
export function groupMembers(pgid: number): ProcInfo[] {
  return allProcs().filter((p) => p.pgid === pgid);
}

/** Zombie children of `pid`. */
export function zombiesOf(pid: number): ProcInfo[] {
  return allProcs().filter((p) => p.ppid === pid && p.state === "Z");
}

/**
 * `root` first, then every process below it, parents before children; zombies
 * included (they keep their ppid until reaped). Empty when `root` is gone. In a
 * PID namespace, PID 1's subtree is the whole namespace: orphans are re-parented
 * to it or to a subreaper below it.
 */
export function subtree(root: number): ProcInfo[] {
  const byPid = new Map<number, ProcInfo>();
  const children = new Map<number, number[]>();
  for (const p of allProcs()) {
    byPid.set(p.pid, p);
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const out: ProcInfo[] = [];
  if (!byPid.has(root)) return out;
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(byPid.get(pid)!);
    for (const c of children.get(pid) ?? []) queue.push(c);
  }
  return out;
}

/** Live processes below `root` (not `root` itself). */
export function liveDescendants(root: number): ProcInfo[] {
  return subtree(root)
    .slice(1)
    .filter((p) => p.state !== "Z");
}

/** Children of `pid` by the kernel's own list (of its main thread); [] when it is gone. */
export function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return text === "" ? [] : text.split(" ").map(Number);
  } catch {
    return [];
  }
}

/**
 * How many live children of `ppid` run the program named `comm`. Cheap enough to
 * poll while a server spawns a thousand services: it parses only the stat lines
 * that name `comm`.
 */
export function countChildren(ppid: number, comm: string): number {
  let n = 0;
  const tag = `(${comm}) `;
  for (const d of readdirSync("/proc")) {
    if (d.charCodeAt(0) > 57) continue; // not a digit: not a pid
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

// ---------------------------------------------------------------- argv, environment

/** The arguments of `pid`; [] when it is gone, a zombie or a kernel thread. */
export function argv(pid: number): string[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return [];
  }
  const args = text.split("\0");
  if (args.at(-1) === "") args.pop();
  return args;
}

/** The non-empty arguments joined by spaces, as `ps` shows them; "" when there are none. */
export function cmdline(pid: number): string {
  return argv(pid)
    .filter((a) => a !== "")
    .join(" ");
}

/** Live processes with `arg` as one whole argument. */
export function pidsWithArg(arg: string): number[] {
  return pids().filter((pid) => argv(pid).includes(arg) && alive(pid));
}

/** Processes (zombies and this one left out) whose command line contains `needle` anywhere. */
export function pidsWithText(needle: string): number[] {
  return pids().filter((pid) => pid !== process.pid && cmdline(pid).includes(needle));
}

export function environ(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function cwdOf(pid: number): string {
  return readlinkSync(`/proc/${pid}/cwd`);
}

// ---------------------------------------------------------------- /proc/PID/status

/** The text after "Field:" in /proc/PID/status; null when the process or the field is missing. */
export function statusField(pid: number | string, field: string): string | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s*(.*)$`, "m"));
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The first number of a status field (the real id of Uid/Gid); throws when the process is gone. */
function statusNumber(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

/** Real user id. */
export function uidOf(pid: number): number {
  return statusNumber(pid, "Uid");
}

/** Real group id. */
export function gidOf(pid: number): number {
  return statusNumber(pid, "Gid");
}

/** The pid as seen inside the innermost PID namespace of `hostPid` (last NSpid field). */
export function nsPidOf(hostPid: number): number | null {
  const ns = statusField(hostPid, "NSpid");
  return ns ? Number(ns.trim().split(/\s+/).at(-1)) : null;
}

// ---------------------------------------------------------------- memory and CPU

/** A "NNN kB" field of /proc/PID/status (VmRSS, VmHWM, RssAnon, ...); NaN when missing, throws when the process is gone. */
export function statusKb(pid: number, field: "VmRSS" | "VmHWM" | "RssAnon"): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : NaN;
}

/** Proportional set size: pages shared with N processes count 1/N each (for two Bun processes of one executable). */
export function pssKb(pid: number): number {
  const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

export function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

let ticks: number | null = null;
/** Clock ticks per second of the stat times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicks(): number {
  ticks ??= Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim());
  return ticks;
}

/** utime+stime of a process, all its threads (live and ended), in ms; one tick of resolution. */
export function cpuMs(pid: number): number {
  const f = statFields(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks();
}

// ---------------------------------------------------------------- the machine

/** The 1, 5 and 15 minute load averages, as /proc/loadavg writes them ("0.43 0.50 0.37"). */
export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** The first CPU's model name; null where /proc/cpuinfo has none (some architectures). */
export function cpuModel(): string | null {
  return /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? null;
}

/** MemTotal of /proc/meminfo, in kB. */
export function memTotalKb(): number {
  return Number(/^MemTotal:\s*(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? NaN);
}
