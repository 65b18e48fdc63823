/**
 * One screenful of the tui, pure: `renderFrame(state, {width, height, color,
 * nowMs})` gives at most `height` lines, none wider than `width` columns.
 *
 *   title      zinit  5 services  3 running   <last action's message>
 *   table      the list columns plus REASON, `>` marking the selection,
 *              scrolled so the selection stays in view
 *   log pane   (when open) the lower half: a rule naming the service, then
 *              its newest lines that fit
 *   footer     the keys
 */
import type { LogLine, ServiceSummary } from "../../sdk/protocol/types.ts";
import { paint, stripAnsi, type Palette } from "../render/color.ts";
import { LIST_HEADERS, listRow } from "../render/list.ts";
import { renderTable, type CellInput } from "../render/table.ts";
import { selectedIndex, type LogPane, type TuiState } from "./state.ts";

export interface FrameOptions {
  width: number;
  height: number;
  color: boolean;
  nowMs: number;
}

export const HELP = "↑↓/jk select  s start  S stop  r restart  l logs  q quit";

export function renderFrame(state: TuiState, opts: FrameOptions): string {
  const p = paint(opts.color);
  const width = Math.max(1, opts.width);
  const body = Math.max(0, opts.height - 2);
  // The pane takes the lower half, if there is room for a rule and a line at least.
  const logRows = state.logs && body >= 4 ? Math.floor(body / 2) : 0;
  const lines = [
    title(state, p),
    ...padTo(table(state, body - logRows, width, opts, p), body - logRows),
    ...(state.logs && logRows > 0 ? logPane(state.logs, logRows, width, p) : []),
    p.dim(HELP),
  ];
  return lines
    .slice(0, Math.max(1, opts.height))
    .map((l) => fit(l, width))
    .join("\n");
}

function title(state: TuiState, p: Palette): string {
  const count = (st: string) => state.services.filter((s) => s.state === st).length;
  const failed = count("failed");
  const parts = [p.bold("zinit"), `${state.services.length} services`, `${count("running")} running`];
  if (failed > 0) parts.push(p.red(`${failed} failed`));
  if (state.message) parts.push(` ${p.yellow(state.message)}`);
  return parts.join("  ");
}

function table(state: TuiState, rows: number, width: number, opts: FrameOptions, p: Palette): string[] {
  if (rows <= 0) return [];
  if (state.services.length === 0) return [p.dim("  no services")];
  const [header, ...all] = renderTable([...LIST_HEADERS, "REASON"], state.services.map((s) => row(s, opts.nowMs, p)), p.dim).split("\n");
  // Column widths come from every row, so they do not jump while scrolling.
  const avail = rows - 1;
  const sel = Math.max(0, selectedIndex(state));
  const start = Math.max(0, Math.min(sel - Math.floor(avail / 2), all.length - avail));
  const visible = all.slice(start, start + avail).map((line, i) => {
    if (start + i !== sel) return `  ${line}`;
    const marked = `> ${line}`;
    if (!opts.color) return marked;
    // Reverse video across the whole width, so the bar is easy to follow.
    const padded = marked + " ".repeat(Math.max(0, width - visibleLength(marked)));
    return `\u001b[7m${fit(padded, width)}\u001b[27m`;
  });
  return [`  ${header}`, ...visible];
}

function row(s: ServiceSummary, nowMs: number, p: Palette): CellInput[] {
  return [...listRow(s, nowMs, p), { text: sanitize(s.reason || "-"), paint: p.dim }];
}

function logPane(pane: LogPane, rows: number, width: number, p: Palette): string[] {
  const label = `── logs: ${pane.name} `;
  const rule = p.dim(label + "─".repeat(Math.max(0, width - label.length)));
  const shown = pane.lines.slice(-(rows - 1)).map((l) => logLine(l, p));
  if (shown.length === 0) shown.push(p.dim("  (no output yet)"));
  return [rule, ...padTo(shown, rows - 1)];
}

function logLine(l: LogLine, p: Palette): string {
  const stream = l.stream === "stderr" ? p.red("stderr|") : p.dim("stdout|");
  // The time of day as the server stamped it; the date is noise on a live screen.
  return `${p.dim(l.at.slice(11, 19))} ${stream} ${sanitize(l.line)}`;
}

function padTo(lines: string[], n: number): string[] {
  return lines.length >= n ? lines.slice(0, n) : [...lines, ...Array<string>(n - lines.length).fill("")];
}

/** What a service printed, made safe to draw: no escape sequences or control characters. */
export function sanitize(text: string): string {
  return text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\t/g, "    ")
    .replace(/[\u0000-\u001f\u007f]/g, "");
}

function visibleLength(text: string): number {
  return Array.from(stripAnsi(text)).length;
}

/** Cuts a line to `width` visible columns, `…` marking the cut; colour sequences are kept and reset. */
export function fit(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let out = "";
  let budget = width - 1;
  for (const [i, part] of line.split(/(\u001b\[[0-9;]*m)/).entries()) {
    if (i % 2 === 1) out += part;
    else if (budget > 0) {
      const chars = Array.from(part).slice(0, budget);
      budget -= chars.length;
      out += chars.join("");
    }
  }
  return `${out}…${line.includes("\u001b") ? "\u001b[0m" : ""}`;
}
