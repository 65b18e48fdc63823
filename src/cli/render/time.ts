/**
 * Durations and exit statuses in the short forms operators read at a glance:
 * `12s`, `3m12s`, `2h05m`, `4d3h`; "exit code 3", "killed by SIGKILL".
 */
import type { ExitInfo } from "../../sdk/protocol/types.ts";

/** A duration in the two largest units, like `ps`/`docker ps`. Negative counts as 0. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days}d${hours}h`;
  if (hours > 0) return `${hours}h${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m${pad2(seconds)}s`;
  return `${seconds}s`;
}

/** How long since an ISO time, or undefined when it does not parse. */
export function elapsedSince(iso: string | null | undefined, nowMs: number): number | undefined {
  if (!iso) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : nowMs - at;
}

/** The last exit in words: "exit code 3", "killed by SIGKILL"; "-" when there was none. */
export function describeExit(exit: ExitInfo | null | undefined): string {
  if (!exit) return "-";
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code !== null && exit.code !== undefined) return `exit code ${exit.code}`;
  return "-";
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
