/**
 * The `[resources]` section: limits that zinit writes into a service's cgroup
 * (cgroup v2). Values are normalised here, once: sizes to bytes, the CPU share to
 * a percentage of one CPU; `formatBytes` turns bytes back into the short form
 * people write ("256M"), for reasons and messages.
 */
import * as v from "valibot";
import { converted, INT_MAX, table } from "./fields.ts";
import { describeValue } from "./issues.ts";

export interface Resources {
  /** bytes (memory.max): above it the kernel's OOM killer ends the service */
  memory_max: number | null;
  /** bytes (memory.high): reclaim and throttle above it */
  memory_high: number | null;
  /** percent of one CPU (cpu.max): 50 = half a CPU, 200 = two CPUs */
  cpu_max: number | null;
  /** 1..10000 (cpu.weight), relative to other services */
  cpu_weight: number | null;
  /** most processes and threads at once (pids.max) */
  pids_max: number | null;
}

const SUFFIX: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
/** The kernel needs a quota of at least 1 ms per 100 ms period. */
export const CPU_MAX_MIN_PERCENT = 1;
/** 1,024 CPUs: beyond that a quota is a typo, not a limit. */
export const CPU_MAX_MAX_PERCENT = 102_400;

const fail = (message: string) => ({ problems: [{ message }] });

/** `memory_max`, `memory_high`: bytes as an integer, or a string with a K, M, G or T suffix (powers of 1024). */
export const byteSize = converted<number>((x) => {
  const expected = `expected a size in bytes or with a K, M, G or T suffix (like "256M"), got ${describeValue(x)}`;
  let bytes: number;
  if (typeof x === "number") {
    if (!Number.isInteger(x)) return fail(expected);
    bytes = x;
  } else if (typeof x === "string") {
    const m = /^([0-9]+)\s*([KMGT]?)$/i.exec(x.trim());
    if (!m) return fail(expected);
    bytes = Number(m[1]) * SUFFIX[m[2]!.toUpperCase()]!;
  } else return fail(expected);
  if (bytes < 4096) return fail(`expected at least 4K (one page), got ${describeValue(x)}`);
  if (!Number.isSafeInteger(bytes)) return fail(`expected at most ${Number.MAX_SAFE_INTEGER} bytes, got ${describeValue(x)}`);
  return { value: bytes };
});

/** `cpu_max`: a share of one CPU, "50%"; "200%" is two CPUs. */
export const cpuShare = converted<number>((x) => {
  const m = typeof x === "string" ? /^([0-9]+(?:\.[0-9]+)?)\s*%$/.exec(x.trim()) : null;
  if (!m) return fail(`expected a share of one CPU like "50%" ("200%" = two CPUs), got ${describeValue(x)}`);
  const pct = Number(m[1]);
  if (pct < CPU_MAX_MIN_PERCENT || pct > CPU_MAX_MAX_PERCENT) {
    return fail(`expected from ${CPU_MAX_MIN_PERCENT}% to ${CPU_MAX_MAX_PERCENT}%, got ${describeValue(x)}`);
  }
  return { value: pct };
});

function intIn(min: number, max: number, what: string) {
  return converted<number>((x) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) return fail(`expected ${what} from ${min} to ${max}, got ${describeValue(x)}`);
    return { value: x };
  });
}

/** memory_high above memory_max would never act: the hard limit comes first. */
function highAboveMax(r: { memory_max?: number; memory_high?: number }): string | undefined {
  if (r.memory_max === undefined || r.memory_high === undefined || r.memory_high <= r.memory_max) return undefined;
  return `memory_high (${formatBytes(r.memory_high)}) must not be above memory_max (${formatBytes(r.memory_max)})`;
}

export const resourcesSchema = v.pipe(
  table({
    memory_max: v.optional(byteSize),
    memory_high: v.optional(byteSize),
    cpu_max: v.optional(cpuShare),
    cpu_weight: v.optional(intIn(1, 10_000, "an integer")),
    pids_max: v.optional(intIn(1, INT_MAX, "an integer")),
  }),
  v.forward(
    v.partialCheck(
      [["memory_max"], ["memory_high"]],
      (r) => highAboveMax(r) === undefined,
      (issue) => highAboveMax(issue.input) ?? "",
    ),
    ["memory_high"],
  ),
  v.transform(
    (r): Resources => ({
      memory_max: r.memory_max ?? null,
      memory_high: r.memory_high ?? null,
      cpu_max: r.cpu_max ?? null,
      cpu_weight: r.cpu_weight ?? null,
      pids_max: r.pids_max ?? null,
    }),
  ),
);

/** Whether a unit asks for any limit at all (an empty `[resources]` asks for none). */
export function hasLimits(r: Resources | null | undefined): r is Resources {
  return r != null && Object.values(r).some((x) => x !== null);
}

/** Bytes in the largest unit that divides them exactly: 268435456 -> "256M", 1000 -> "1000". */
export function formatBytes(bytes: number): string {
  for (const s of ["T", "G", "M", "K"]) {
    const unit = SUFFIX[s]!;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${s}`;
  }
  return String(bytes);
}
