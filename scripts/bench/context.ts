/**
 * What the sections of one benchmark run share: the options, a temp dir for
 * every server's files, the machine, what the reports collect, and the sweep
 * that ends each section. The benchmark process is a child subreaper, so
 * whatever a server leaves behind is still its descendant: a sweep finds it,
 * kills it by pid and records it in the report.
 */
import { cmdline, liveDescendants } from "../../test/helpers/proc.ts";
import type { Machine } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import { sleep } from "./timing.ts";

/** One section of the benchmark: a file of its own under sections/. */
export interface Section {
  /** the name `--only` and the runner's arguments take */
  name: string;
  /** one line for --help */
  about: string;
  run(bench: Bench): Promise<void>;
}

/** One line of the zinit-vs-supervisord table. */
export interface Row {
  fig: string;
  what: string;
  zinit: number;
  sv: number;
  unit: string;
  better: "lower" | "higher";
  digits?: number;
}

export interface Bench {
  readonly opts: BenchOptions;
  /** temp dir holding one dir per server started */
  readonly base: string;
  readonly machine: Machine;
  /** bench/supervisor.md: the table, and one text per section */
  readonly rows: Row[];
  readonly sections: string[];
  readonly notes: string[];
  /** bench/health-reload.md */
  readonly healthRows: [string, string][];
  readonly healthSections: string[];
  /** processes a sweep found left behind, one line per section that had any */
  readonly leftovers: string[];
  /** set by the start section, read by the health section: zinit's idle CPU with 1,000 services */
  zinitIdle1000: { cpuMs: number; seconds: number } | null;
}

export function newBench(opts: BenchOptions, base: string, machine: Machine): Bench {
  return { opts, base, machine, rows: [], sections: [], notes: [], healthRows: [], healthSections: [], leftovers: [], zinitIdle1000: null };
}

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Kills every process below this one, by pid. */
export function killDescendants(): void {
  for (const p of liveDescendants(process.pid)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {}
  }
}

/** Ends a section: anything still below us after 2 s is killed by pid and recorded. */
export async function sweep(bench: Bench, section: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if (liveDescendants(process.pid).length === 0) return;
    await sleep(100);
  }
  const left = liveDescendants(process.pid);
  bench.leftovers.push(`${section}: ${left.length} process(es) left, killed: ${left.slice(0, 5).map((p) => `${p.pid} ${cmdline(p.pid)}`).join("; ")}`);
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {}
  }
}
