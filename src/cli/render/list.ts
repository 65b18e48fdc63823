/** `zinit list`: one aligned row per service, NAME STATE PID UPTIME RESTARTS HEALTH MEM. */
import type { ServiceSummary } from "../../sdk/protocol/types.ts";
import { paint, stateColor, type Palette } from "./color.ts";
import { renderTable, type CellInput } from "./table.ts";
import { elapsedSince, formatDuration } from "./time.ts";
import { formatBytes } from "./units.ts";

export interface ListOptions {
  nowMs: number;
  color: boolean;
}

export const LIST_HEADERS = ["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH"];

export function renderList(items: readonly ServiceSummary[], opts: ListOptions): string {
  const p = paint(opts.color);
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // MEM is read from /proc when `list` asks; the tui, which never polls, leaves it out.
  const rows = sorted.map((s) => [...listRow(s, opts.nowMs, p), s.memory_bytes == null ? "-" : formatBytes(s.memory_bytes)]);
  return renderTable([...LIST_HEADERS, "MEM"], rows, p.dim);
}

/** The cells under LIST_HEADERS for one unit; the tui adds its own columns after them. */
export function listRow(s: ServiceSummary, nowMs: number, p: Palette): CellInput[] {
  const elapsed = s.state === "running" ? elapsedSince(s.since, nowMs) : undefined;
  // A result from a process that is gone is no fact about now (older servers still send it).
  const health = (s.state === "starting" || s.state === "running") && s.pid !== null ? (s.health ?? "-") : "-";
  return [
    s.kind === "target" ? { text: s.name, paint: p.bold } : s.name,
    { text: s.state, paint: stateColor(s.state, p) },
    s.pid === null ? "-" : String(s.pid),
    elapsed === undefined ? "-" : formatDuration(elapsed),
    String(s.restarts),
    { text: health, paint: health === "failing" ? p.red : health === "passing" ? p.green : undefined },
  ];
}
