/**
 * One screenful of the tui, pure: `renderFrame(state, {width, height, color,
 * nowMs})` gives exactly `height` lines (fewer only when the screen has fewer
 * than two), none wider than `width` columns.
 *
 *   title      zinit  5 services  3 running  sort: memory ↓  filter: web  <message>
 *   table      NAME STATE PID UPTIME RESTARTS HEALTH MEM CPU REASON, `>` marking
 *              the selection, scrolled so the selection stays in view
 *              (the key help replaces it while shown)
 *   log pane   (when open) the lower half: a rule naming the service, then
 *              its newest lines that fit
 *   footer     the keys; the filter line while typing; a question while asking
 */
import type { LogLine, ServiceSummary } from "../../sdk/protocol/types.ts";
import { paint, stripAnsi, type Palette } from "../render/color.ts";
import { renderTable, type CellInput } from "../render/table.ts";
import { listRow } from "../render/list.ts";
import { KEY_HELP } from "./keys.ts";
import { selectedIndex, visibleServices, type Figures, type LogPane, type TuiState } from "./state.ts";

export interface FrameOptions {
  width: number;
  height: number;
  color: boolean;
  nowMs: number;
}

export const HELP = "↑↓ select  / filter  o sort  s start  S stop  r restart  l logs  ? help  q quit";

export const COLUMNS = ["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH", "MEM", "CPU", "REASON"];

export function renderFrame(state: TuiState, opts: FrameOptions): string {
  const p = paint(opts.color);
  const width = Math.max(1, opts.width);
  const body = Math.max(0, opts.height - 2);
  // The pane takes the lower half, if there is room for a rule and a line at least.
  const logRows = state.logs && body >= 4 ? Math.floor(body / 2) : 0;
  const upper = state.help ? helpLines(body - logRows, p) : table(state, body - logRows, width, opts, p);
  const lines = [
    title(state, p),
    ...padTo(upper, body - logRows),
    ...(state.logs && logRows > 0 ? logPane(state.logs, logRows, width, p) : []),
    footer(state, p),
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
  parts.push(`sort: ${state.sort} ${state.descending ? "↓" : "↑"}`);
  if (state.filter !== "") parts.push(`filter: ${p.cyan(state.filter)} (${visibleServices(state).length} shown)`);
  if (state.message) parts.push(` ${p.yellow(state.message)}`);
  return parts.join("  ");
}

function footer(state: TuiState, p: Palette): string {
  if (state.confirm) return p.yellow(p.bold(`${state.confirm.action} system unit ${state.confirm.name}? y confirms, any other key cancels`));
  if (state.editingFilter) return `${p.cyan("/")}${state.filter}▏  ${p.dim("Enter keep  Esc clear")}`;
  if (state.help) return p.dim("any key closes the help");
  return p.dim(HELP);
}

function helpLines(rows: number, p: Palette): string[] {
  const width = Math.max(...KEY_HELP.map(([k]) => k.length));
  return [p.bold("  keys"), ...KEY_HELP.map(([k, what]) => `  ${k.padEnd(width)}  ${what}`)].slice(0, Math.max(0, rows));
}

function table(state: TuiState, rows: number, width: number, opts: FrameOptions, p: Palette): string[] {
  if (rows <= 0) return [];
  const services = visibleServices(state);
  if (services.length === 0) return [p.dim(state.services.length === 0 ? "  no services" : `  no service name contains "${state.filter}"`)];
  const headers = COLUMNS.map((h) => (h === SORT_COLUMN[state.sort] ? `${h}${state.descending ? "↓" : "↑"}` : h));
  const [header, ...all] = renderTable(headers, services.map((s) => row(s, state.figures[s.name], opts.nowMs, p)), p.dim).split("\n");
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

const SORT_COLUMN: Record<TuiState["sort"], string> = { name: "NAME", state: "STATE", restarts: "RESTARTS", memory: "MEM", cpu: "CPU" };

function row(s: ServiceSummary, figures: Figures | undefined, nowMs: number, p: Palette): CellInput[] {
  return [
    ...listRow(s, nowMs, p),
    figures?.memoryBytes == null ? "-" : formatBytes(figures.memoryBytes),
    figures?.cpuPercent == null ? "-" : formatPercent(figures.cpuPercent),
    { text: sanitize(s.reason || "-"), paint: p.dim },
  ];
}

/** 512B, 12K, 3.4M, 1.2G: binary units, at most one decimal, as top and ps show memory. */
export function formatBytes(bytes: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || value >= 100 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, "");
  return `${text}${units[unit]}`;
}

/** 0.3%, 12%, 210% (more than one CPU). */
export function formatPercent(pct: number): string {
  return pct < 10 ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`;
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
