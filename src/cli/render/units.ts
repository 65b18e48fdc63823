/** Sizes and CPU times as operators read them: `512 B`, `12.3 MiB`, `1.2 GiB`; `340 ms`, `12.5 s`, `3m12s`. */
import { formatDuration } from "./time.ts";

const UNITS = ["KiB", "MiB", "GiB", "TiB"];

/** Binary units, one decimal below 100, none above. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = "B";
  for (const u of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** CPU time: ms below a second, seconds with one decimal below a minute, then like an uptime. */
export function formatCpu(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}
