/**
 * Per-service figures from /proc without cgroups, pure: parsing /proc/PID/stat and
 * /proc/self/auxv, and summing the live processes of a process group. Reading the
 * files is an effect (src/server/effects/proc-figures.ts) done on request only.
 *
 * Every process of a service stays in its process group unless it leaves it on
 * purpose (setsid, setpgid), so the group's members are the service's processes.
 * Memory is the sum of their RSS, so pages they share (the program text of a
 * forked worker) count once per process: an upper bound, as `ps` would add it up.
 * CPU is their user and system time plus that of the children they already
 * waited for (cutime, cstime), so a shell that runs short commands one after the
 * other is not shown as idle.
 */

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, T, ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** clock ticks */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** pages */
  rss: number;
}

/**
 * One /proc/PID/stat line, or null when it is not one. The command name is in
 * parentheses and may itself hold spaces and parentheses: the fields start after
 * the last ")".
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).split(" ");
  // Field 24 of proc(5) (rss) is index 21 here, counted from field 3 (state).
  if (!Number.isInteger(pid) || f.length < 22) return null;
  const n = (i: number) => Number(f[i]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0]!,
    ppid: n(1),
    pgrp: n(2),
    utime: n(11),
    stime: n(12),
    cutime: n(13),
    cstime: n(14),
    rss: n(21),
  };
  for (const k of ["ppid", "pgrp", "utime", "stime", "cutime", "cstime", "rss"] as const) if (!Number.isFinite(stat[k])) return null;
  return stat;
}

/** A zombie (or a process being reaped) holds no memory and runs no more. */
export function isLive(stat: ProcStat): boolean {
  return stat.state !== "Z" && stat.state !== "X" && stat.state !== "x";
}

export const AT_PAGESZ = 6;
export const AT_CLKTCK = 17;

/** A value of the auxiliary vector (/proc/self/auxv: pairs of native 64-bit words), or null. */
export function auxvValue(auxv: Uint8Array, type: number): number | null {
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let off = 0; off + 16 <= auxv.byteLength; off += 16) {
    const key = Number(view.getBigUint64(off, true));
    if (key === 0) return null; // AT_NULL ends the vector
    if (key === type) return Number(view.getBigUint64(off + 8, true));
  }
  return null;
}

/** /proc/PID/cmdline (NUL-separated words) as one line; `[comm]` when empty (a kernel thread, an exiting process). */
export function commandLine(cmdline: string, comm: string): string {
  const words = cmdline.split("\0");
  while (words.length > 0 && words[words.length - 1] === "") words.pop();
  return words.length === 0 ? `[${comm}]` : words.join(" ");
}

export interface GroupFigures {
  memory_bytes: number;
  cpu_ms: number;
  /** the live members, by pid */
  pids: number[];
}

export interface Units {
  pageSize: number;
  clockTicks: number;
}

/** Sums the live members of each process group in `pgids` (a group with none is absent). */
export function sumGroups(stats: Iterable<ProcStat>, pgids: ReadonlySet<number>, units: Units): Map<number, GroupFigures> {
  const out = new Map<number, GroupFigures & { ticks: number }>();
  for (const st of stats) {
    if (!pgids.has(st.pgrp) || !isLive(st)) continue;
    let g = out.get(st.pgrp);
    if (!g) out.set(st.pgrp, (g = { memory_bytes: 0, cpu_ms: 0, pids: [], ticks: 0 }));
    g.memory_bytes += st.rss * units.pageSize;
    g.ticks += st.utime + st.stime + st.cutime + st.cstime;
    g.pids.push(st.pid);
  }
  const result = new Map<number, GroupFigures>();
  for (const [pgid, { ticks, ...g }] of out) {
    g.pids.sort((a, b) => a - b);
    result.set(pgid, { ...g, cpu_ms: Math.round((ticks * 1000) / units.clockTicks) });
  }
  return result;
}
