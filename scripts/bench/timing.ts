/**
 * Clocks and command timing for the benchmark. Intervals use performance.now();
 * CLOCK_REALTIME (with ns precision, through libc) is only for comparing with
 * `date +%s%N` stamps written by services.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dlopen, FFIType, ptr } from "bun:ffi";
import { max, median, min } from "./stats.ts";

export const now = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => Bun.sleep(ms);

const libc = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
const tsBuf = new BigInt64Array(2);
/** CLOCK_REALTIME in ms with ns precision: comparable with `date +%s%N` stamps written by services. */
export function realtimeMs(): number {
  libc.symbols.clock_gettime(0, ptr(tsBuf));
  return Number(tsBuf[0]!) * 1000 + Number(tsBuf[1]!) / 1e6;
}

export interface CmdTiming {
  command: string;
  min: number;
  median: number;
  mean: number;
  max: number;
  runs: number;
}

export interface TimingOptions {
  runs: number;
  warmup: number;
  /** hyperfine is used when installed; its JSON export goes here */
  tmpDir: string;
  hyperfine: boolean;
}

/** Wall time of each command (ms), with hyperfine if there is one, else with a loop. */
export function timeCommands(commands: string[][], o: TimingOptions): CmdTiming[] {
  if (o.hyperfine) {
    const json = join(o.tmpDir, `hyperfine-${Date.now()}.json`);
    const cmdStrings = commands.map((c) => c.join(" "));
    const r = spawnSync("hyperfine", ["-N", "-i", "--warmup", String(o.warmup), "--runs", String(o.runs), "--style", "none", "--export-json", json, ...cmdStrings], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    if (r.status === 0) {
      const results = JSON.parse(readFileSync(json, "utf8")).results as { times: number[]; mean: number; median: number; min: number; max: number }[];
      return results.map((x, i) => ({ command: cmdStrings[i]!, min: x.min * 1000, median: x.median * 1000, mean: x.mean * 1000, max: x.max * 1000, runs: x.times.length }));
    }
    process.stderr.write(`hyperfine failed (${r.stderr}); timing with a loop instead\n`);
  }
  return commands.map((c) => {
    for (let i = 0; i < o.warmup; i++) spawnSync(c[0]!, c.slice(1), { stdio: "ignore" });
    const t: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t0 = now();
      spawnSync(c[0]!, c.slice(1), { stdio: "ignore" });
      t.push(now() - t0);
    }
    return { command: c.join(" "), min: min(t), median: median(t), mean: t.reduce((a, b) => a + b, 0) / t.length, max: max(t), runs: o.runs };
  });
}
