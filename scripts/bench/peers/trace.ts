/**
 * Process events as the kernel saw them, for timings that a poller would blur or
 * disturb: `perf record` of the sched_process_fork/exec/exit tracepoints, system
 * wide, on CLOCK_MONOTONIC. A poller reading /proc every millisecond for 1,000
 * processes costs a whole core on a 2-core machine, which is the very resource
 * the supervisors under test compete for; the tracepoints cost nearly nothing
 * and stamp each exec and exit to the microsecond.
 *
 * Everything is read back after the fact: the descendants of a supervisor (its
 * threads included, since a multithreaded one may fork from any thread), when
 * each of them exec'd and when each ended.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dlopen, FFIType, ptr } from "bun:ffi";
import type { Subprocess } from "bun";
import { sleep } from "../timing.ts";

const libc = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
const tsBuf = new BigInt64Array(2);
const CLOCK_MONOTONIC = 1;
/** CLOCK_MONOTONIC in ms: the clock the trace is stamped with. */
export function monoMs(): number {
  libc.symbols.clock_gettime(CLOCK_MONOTONIC, ptr(tsBuf));
  return Number(tsBuf[0]!) * 1000 + Number(tsBuf[1]!) / 1e6;
}

export interface ProcEvent {
  /** CLOCK_MONOTONIC, ms */
  t: number;
  kind: "fork" | "exec" | "exit";
  pid: number;
  /** fork: the new task; exec: the file; exit: the comm */
  child?: number;
  file?: string;
}

export class ProcTrace {
  private constructor(
    private readonly perf: Subprocess,
    private readonly dir: string,
  ) {}

  /** Starts tracing; null (and why) when perf or the tracepoints are not available. */
  static async start(): Promise<ProcTrace | string> {
    const probe = spawnSync("perf", ["--version"], { stdio: "ignore" });
    if (probe.status !== 0) return "perf not installed (Debian package linux-perf)";
    const dir = mkdtempSync(join(tmpdir(), "zinit-trace-"));
    const perf = Bun.spawn(
      ["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "-e", "sched:sched_process_fork,sched:sched_process_exec,sched:sched_process_exit", "-a", "-o", join(dir, "perf.data")],
      { stdin: "ignore", stdout: "ignore", stderr: "pipe" },
    );
    // perf needs a moment to open its buffers; a trace that misses the start is worthless.
    await sleep(600);
    if (perf.exitCode !== null) {
      const err = await new Response(perf.stderr).text();
      rmSync(dir, { recursive: true, force: true });
      return `perf record failed: ${err.trim().split("\n")[0]}`;
    }
    return new ProcTrace(perf, dir);
  }

  /** Stops tracing and returns every fork, exec and exit seen, in time order. */
  async stop(): Promise<ProcEvent[]> {
    await sleep(100); // the last events reach perf's buffer
    this.perf.kill("SIGINT");
    await this.perf.exited;
    const r = spawnSync("perf", ["script", "--ns", "-F", "pid,time,event,trace", "-i", join(this.dir, "perf.data")], { maxBuffer: 1 << 30 });
    rmSync(this.dir, { recursive: true, force: true });
    return parse(r.stdout.toString());
  }
}

function parse(text: string): ProcEvent[] {
  const out: ProcEvent[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+\.\d+):\s+sched:sched_process_(fork|exec|exit):\s+(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const t = Number(m[2]) * 1000;
    const fields = m[4]!;
    if (m[3] === "fork") out.push({ t, kind: "fork", pid, child: Number(/child_pid=(\d+)/.exec(fields)?.[1]) });
    else if (m[3] === "exec") out.push({ t, kind: "exec", pid, file: /filename=(\S+)/.exec(fields)?.[1] ?? "" });
    else out.push({ t, kind: "exit", pid, file: /comm=(\S+)/.exec(fields)?.[1] ?? "" });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Every task forked below `root` (its threads too), from the fork events. */
export function descendantsOf(events: ProcEvent[], root: number): Set<number> {
  const set = new Set([root]);
  for (const e of events) if (e.kind === "fork" && set.has(e.pid) && e.child !== undefined) set.add(e.child);
  return set;
}

/** The execs of `file` (by its base name) by descendants of `root`, in time order. */
export function execsOf(events: ProcEvent[], root: number, base: string): ProcEvent[] {
  const below = descendantsOf(events, root);
  return events.filter((e) => e.kind === "exec" && below.has(e.pid) && e.file!.split("/").pop() === base);
}

/** The exits of processes that exec'd `base` below `root`. */
export function exitsOf(events: ProcEvent[], root: number, base: string): ProcEvent[] {
  const pids = new Set(execsOf(events, root, base).map((e) => e.pid));
  return events.filter((e) => e.kind === "exit" && pids.has(e.pid));
}
