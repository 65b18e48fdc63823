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

/** The figures of one service's group, its processes with their command lines. */
export function readServiceFigures(pgid: number): ServiceFigures {
  const stats = readStats();
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
