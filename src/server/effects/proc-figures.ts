/**
 * Reads the figures of services' process groups from /proc, on request only
 * (`status`, `list`): nothing here is polled. One pass over /proc/[0-9]*\/stat
 * serves any number of groups, so `list` of 1,000 services costs one scan.
 * Parsing and summing are pure (src/server/engine/proc-stat.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ProcessInfo } from "../../sdk/protocol/types.ts";
import {
  AT_CLKTCK,
  AT_PAGESZ,
  auxvValue,
  commandLine,
  parseProcStat,
  sumGroups,
  type GroupFigures,
  type ProcStat,
  type Units,
} from "../engine/proc-stat.ts";

/** What `status` shows of a service's processes. */
export interface ServiceFigures {
  memory_bytes: number;
  cpu_ms: number;
  pids: number;
  processes: ProcessInfo[];
}

let units: Units | null = null;

/** Page size and clock ticks from the kernel's auxiliary vector; the usual values when it cannot be read. */
function procUnits(): Units {
  if (units) return units;
  let auxv: Uint8Array = new Uint8Array(0);
  try {
    auxv = readFileSync("/proc/self/auxv");
  } catch {}
  units = { pageSize: auxvValue(auxv, AT_PAGESZ) ?? 4096, clockTicks: auxvValue(auxv, AT_CLKTCK) ?? 100 };
  return units;
}

function readStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const st = parseProcStat(readFileSync(`/proc/${name}/stat`, "latin1"));
      if (st) out.push(st);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Memory and CPU of each process group in `pgids` (a group with no live member is absent). */
export function readGroupFigures(pgids: Iterable<number>): Map<number, GroupFigures> {
  const wanted = new Set(pgids);
  if (wanted.size === 0) return new Map();
  return sumGroups(readStats(), wanted, procUnits());
}

/**
 * The children of `pid` (of all its threads), from /proc/PID/task/TID/children;
 * null when the kernel has no such file (CONFIG_PROC_CHILDREN) or `pid` is gone.
 */
function childrenOf(pid: number | "self"): number[] | null {
  try {
    const out: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "latin1").trim();
      if (text !== "") for (const c of text.split(" ")) out.push(Number(c));
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * The stat of every process that can be in group `pgid`, without reading all of
 * /proc (which, on a busy host, is most of what `status` costs): the leader's
 * descendants, and, since a member whose parent died is re-parented to us (child
 * subreaper or PID 1), our children that are not in `leaders` with theirs. Null
 * when the kernel cannot list children: then only the scan will do.
 */
function groupCandidates(pgid: number, leaders: ReadonlySet<number>): ProcStat[] | null {
  const ours = childrenOf("self");
  if (ours === null) return null;
  const queue = [pgid, ...ours.filter((p) => !leaders.has(p))];
  const seen = new Set<number>();
  const out: ProcStat[] = [];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    let st: ProcStat | null;
    try {
      st = parseProcStat(readFileSync(`/proc/${pid}/stat`, "latin1"));
    } catch {
      continue; // gone meanwhile
    }
    if (st === null) continue;
    out.push(st);
    for (const c of childrenOf(pid) ?? []) queue.push(c);
  }
  // In pid order, as the scan of /proc lists them.
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * The figures of one service's group, its processes with their command lines.
 * `leaders`: the pids of every service's leader, so that only the rest of our
 * children (re-parented members) are searched besides this leader's descendants.
 */
export function readServiceFigures(pgid: number, leaders?: ReadonlySet<number>): ServiceFigures {
  const stats = (leaders === undefined ? null : groupCandidates(pgid, leaders)) ?? readStats();
  const g = sumGroups(stats, new Set([pgid]), procUnits()).get(pgid);
  if (!g) return { memory_bytes: 0, cpu_ms: 0, pids: 0, processes: [] };
  const comm = new Map(stats.map((s) => [s.pid, s.comm]));
  const processes = g.pids.map((pid) => {
    let cmdline = "";
    try {
      // A huge argv is cut: status is for reading.
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").slice(0, 4096);
    } catch {}
    return { pid, cmd: commandLine(cmdline, comm.get(pid) ?? "?") };
  });
  return { memory_bytes: g.memory_bytes, cpu_ms: g.cpu_ms, pids: g.pids.length, processes };
}
