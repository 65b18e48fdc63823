/** `zinit list`: one aligned row per service, NAME STATE PID UPTIME RESTARTS HEALTH. */
import type { ServiceSummary } from "../../sdk/protocol/types.ts";
import { paint, stateColor } from "./color.ts";
import { renderTable } from "./table.ts";
import { elapsedSince, formatDuration } from "./time.ts";

export interface ListOptions {
  nowMs: number;
  color: boolean;
}

export const LIST_HEADERS = ["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH"];

export function renderList(items: readonly ServiceSummary[], opts: ListOptions): string {
  const p = paint(opts.color);
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows = sorted.map((s) => {
    const elapsed = s.state === "running" ? elapsedSince(s.since, opts.nowMs) : undefined;
    const health = s.health ?? "-";
    return [
      s.kind === "target" ? { text: s.name, paint: p.bold } : s.name,
      { text: s.state, paint: stateColor(s.state, p) },
      s.pid === null ? "-" : String(s.pid),
      elapsed === undefined ? "-" : formatDuration(elapsed),
      String(s.restarts),
      { text: health, paint: health === "failing" ? p.red : health === "passing" ? p.green : undefined },
    ];
  });
  return renderTable(LIST_HEADERS, rows, p.dim);
}
