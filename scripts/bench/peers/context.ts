/**
 * What the sections of bench/peers.md share: the options, the temp dir, the
 * dinit build (or why there is none), the summary rows, one text per section,
 * and small programs compiled once per run (a hello world, the "floors": the
 * same work done by a bare Bun program, to tell zinit's cost from Bun's).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../../test/helpers/paths.ts";
import type { Dinit } from "./dinit.ts";

export interface PeerOptions {
  quick: boolean;
  /** runs of each timed start or shutdown */
  runs: number;
  /** CLI timings: hyperfine runs after warm-up */
  cliRuns: number;
  /** seconds of quiet before the idle window, and the window */
  idleSettle: number;
  idleSeconds: number;
  /** flood section: lines of 100 bytes */
  floodLines: number;
  /** load section: clients × requests each */
  clients: number;
  requests: number;
  /** a service count of the full benchmark (a tenth with --quick) */
  size(n: number): number;
}

/** One line of the summary table; NaN where a system was not measured. */
export interface Row {
  what: string;
  unit: string;
  zinit: number;
  dinit: number;
  supervisord: number;
  /** the same work in a bare Bun program (or a hello world for start-up), when it means something */
  floor?: number;
  /** the goal, in words, and whether it is met */
  goal: string;
  met: boolean | null;
  digits?: number;
}

export interface PeerBench {
  opts: PeerOptions;
  base: string;
  dinit: Dinit | null;
  /** why dinit is missing, when it is */
  dinitSkip: string | null;
  rows: Row[];
  sections: string[];
  /** compiled helper programs by name (see compile) */
  programs: Map<string, string>;
}

export interface PeerSection {
  name: string;
  about: string;
  run(b: PeerBench): Promise<void>;
}

export function log(msg: string): void {
  process.stderr.write(`[peers ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/**
 * Compiles `source` (TypeScript) into a standalone executable the way
 * scripts/build builds zinit (bytecode, ESM), once per run; returns its path.
 */
export function compile(b: PeerBench, name: string, source: string): string {
  const known = b.programs.get(name);
  if (known) return known;
  const dir = join(b.base, "programs");
  mkdirSync(dir, { recursive: true });
  const src = join(dir, `${name}.ts`);
  const out = join(dir, name);
  writeFileSync(src, source);
  const r = Bun.spawnSync(
    [join(ROOT, "node_modules/.bin/bun"), "build", src, "--compile", "--minify", "--bytecode", "--format=esm", "--outfile", out],
    { cwd: dir, stdout: "ignore", stderr: "pipe" },
  );
  if (r.exitCode !== 0) throw new Error(`cannot compile ${name}: ${r.stderr.toString()}`);
  b.programs.set(name, out);
  return out;
}

/** The median of `xs` (NaN for none). */
export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
