/**
 * The command line of the zinit-vs-supervisord benchmark, and the sizes and
 * repetitions it implies. `--quick` shrinks every size tenfold and every wait and
 * repetition count to a minimum: a check that each section still runs from end
 * to end in a minute or two, not a measurement (its report says so, and goes to
 * a temp dir unless `--out` names one).
 */
import { parseArgs } from "node:util";

export interface BenchOptions {
  quick: boolean;
  /** figure 3: the idle window of 100 services */
  idleSeconds: number;
  /** the health section: the probing window of 1,000 services */
  healthSeconds: number;
  /** figure 7: lines written by the flooding service */
  floodLines: number;
  /** figures 1a and 1b: start runs of each server */
  reps: number;
  /** figure 4: runs of each CLI command (after `cliWarmup` unmeasured ones) */
  cliRuns: number;
  cliWarmup: number;
  /** figure 2: idle time before the RSS is read */
  startIdleMs: number;
  /** after "all running", before an idle or probing window starts */
  settleMs: number;
  /** the short pauses between "all running" and the SIGTERM */
  pauseMs: number;
  /** figure 5: services killed once each */
  restarts: number;
  /** a service count of the full benchmark, scaled (tenfold smaller with --quick) */
  size(n: number): number;
}

export interface Invocation {
  options: BenchOptions;
  /** the sections asked for, in the order given; null for all */
  only: string[] | null;
  /** where the reports are written; null: a fresh temp dir (a quick run's default) */
  out: string | null;
  help: boolean;
}

export const USAGE = `usage: bun scripts/bench/supervisor.ts [SECTION...] [--only a,b,...] [--quick] [--out DIR]
                 [--idle-seconds 60] [--health-seconds 60] [--flood-lines 10000000]`;

export function parseInvocation(argv: string[], defaultOut: string): Invocation {
  const { values: v, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "idle-seconds": { type: "string" },
      "health-seconds": { type: "string" },
      "flood-lines": { type: "string" },
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const quick = v.quick!;
  const num = (name: "idle-seconds" | "health-seconds" | "flood-lines", full: number, small: number): number => {
    const text = v[name];
    if (text === undefined) return quick ? small : full;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number, not ${JSON.stringify(text)}\n${USAGE}`);
    return n;
  };
  const options: BenchOptions = {
    quick,
    idleSeconds: num("idle-seconds", 60, 2),
    healthSeconds: num("health-seconds", 60, 2),
    floodLines: num("flood-lines", 10_000_000, 100_000),
    reps: quick ? 1 : 3,
    cliRuns: quick ? 3 : 20,
    cliWarmup: quick ? 1 : 3,
    startIdleMs: quick ? 1000 : 10_000,
    settleMs: quick ? 500 : 5000,
    pauseMs: quick ? 200 : 2000,
    restarts: quick ? 3 : 20,
    size: (n) => (quick ? Math.ceil(n / 10) : n),
  };
  const named = [...positionals, ...(v.only ? v.only.split(",") : [])].filter((s) => s !== "");
  return { options, only: named.length ? named : null, out: v.out ?? (quick ? null : defaultOut), help: v.help! };
}
