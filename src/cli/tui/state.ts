/**
 * What the tui shows, as plain data, and the pure steps that change it. The app
 * (app.ts) feeds it server answers, events, log lines, figures and keys; the frame
 * renderer (frame.ts) draws it. The selection is held by name, so it stays on the
 * same service when the list is refreshed, re-sorted or filtered under it.
 *
 * The rows on screen are `visibleServices(state)`: the services whose name
 * contains the filter, in the chosen order. Every step that changes what is
 * visible puts the selection back on a visible row.
 */
import type { LogLine, ServiceSummary, StateEvent } from "../../sdk/protocol/types.ts";

/** Lines of log kept for the pane; more than any screen shows. */
export const MAX_LOG_LINES = 500;

export const SORT_KEYS = ["name", "state", "restarts", "memory", "cpu"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface LogPane {
  name: string;
  lines: LogLine[];
}

/** Resource figures of one service, as last measured (undefined: not known). */
export interface Figures {
  memoryBytes?: number | null;
  /** share of one CPU over the last refresh interval, 0..n*100 */
  cpuPercent?: number | null;
}

/** A CPU-time reading, to turn the next one into a share. */
export interface CpuSample {
  cpuMs: number;
  atMs: number;
  pid: number | null;
}

export interface TuiState {
  /** as the server listed them */
  services: ServiceSummary[];
  selected: string | undefined;
  /** the log pane, when open: the selected service's latest lines */
  logs: LogPane | null;
  /** the result of the last action, shown on the title line */
  message: string;
  /** only names containing this (case-insensitive) are shown */
  filter: string;
  /** the filter line is being typed */
  editingFilter: boolean;
  sort: SortKey;
  /** largest first (name: z to a) */
  descending: boolean;
  figures: Record<string, Figures>;
  cpuSamples: Record<string, CpuSample>;
  /** a stop or restart of a system unit, waiting for y */
  confirm: { action: "stop" | "restart"; name: string } | null;
  /** the key help is shown over the table */
  help: boolean;
}

export function initialState(services: ServiceSummary[] = []): TuiState {
  const empty: TuiState = {
    services: [],
    selected: undefined,
    logs: null,
    message: "",
    filter: "",
    editingFilter: false,
    sort: "name",
    descending: false,
    figures: {},
    cpuSamples: {},
    confirm: null,
    help: false,
  };
  return withServices(empty, services, 0);
}

const STATE_ORDER = ["failed", "blocked", "starting", "stopping", "running", "exited", "inactive"];

/** The rows on screen: filtered by name, in the chosen order (ties by name). */
export function visibleServices(state: TuiState): ServiceSummary[] {
  const needle = state.filter.toLowerCase();
  const shown = needle === "" ? [...state.services] : state.services.filter((s) => s.name.toLowerCase().includes(needle));
  const key = sortValue(state);
  const byName = (a: ServiceSummary, b: ServiceSummary) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return shown.sort((a, b) => {
    const d = state.sort === "name" ? byName(a, b) : compareValues(key(a), key(b));
    // Unknown figures ("-") sink to the bottom whichever way the order goes.
    if (d === 0) return byName(a, b);
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === null ? 1 : -1;
    return state.descending ? -d : d;
  });
}

function sortValue(state: TuiState): (s: ServiceSummary) => number | null {
  switch (state.sort) {
    case "state":
      return (s) => STATE_ORDER.indexOf(s.state);
    case "restarts":
      return (s) => s.restarts;
    case "memory":
      return (s) => state.figures[s.name]?.memoryBytes ?? null;
    case "cpu":
      return (s) => state.figures[s.name]?.cpuPercent ?? null;
    default:
      return () => 0;
  }
}

function compareValues(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Keeps the selection on a visible row: the same service if it is still shown, else the first row. */
function reselect(state: TuiState): TuiState {
  const rows = visibleServices(state);
  const keep = rows.some((s) => s.name === state.selected);
  return keep ? state : { ...state, selected: rows[0]?.name };
}

/** A fresh list from the server, read at `atMs`; figures come with it when the server sends them. */
export function withServices(state: TuiState, services: readonly ServiceSummary[], atMs: number): TuiState {
  const figures = { ...state.figures };
  const samples = { ...state.cpuSamples };
  for (const s of services) {
    const mem = (s as { memory_bytes?: number | null }).memory_bytes;
    if (mem !== undefined) figures[s.name] = { ...figures[s.name], memoryBytes: mem };
    const cpu = (s as { cpu_ms?: number | null }).cpu_ms;
    // Without a process there is no share of CPU to show, whatever was last measured.
    if (s.pid === null && figures[s.name]?.cpuPercent != null) {
      figures[s.name] = { ...figures[s.name], cpuPercent: null };
      delete samples[s.name];
    }
    if (cpu !== undefined) {
      Object.assign(figures, cpuFigure(state, s.name, s.pid, cpu, atMs));
      if (cpu === null) delete samples[s.name];
      else samples[s.name] = { cpuMs: cpu, atMs, pid: s.pid };
    }
  }
  return reselect({ ...state, services: [...services], figures, cpuSamples: samples });
}

/**
 * A CPU-time reading for `name` at `atMs`: the share since the previous reading of
 * the same process (a new pid starts over: its time is not comparable).
 */
export function withCpuTime(state: TuiState, name: string, pid: number | null, cpuMs: number | null, atMs: number): TuiState {
  const samples = { ...state.cpuSamples };
  const figures = { ...state.figures, ...cpuFigure(state, name, pid, cpuMs, atMs) };
  if (cpuMs === null) delete samples[name];
  else samples[name] = { cpuMs, atMs, pid };
  return reselect({ ...state, figures, cpuSamples: samples });
}

function cpuFigure(state: TuiState, name: string, pid: number | null, cpuMs: number | null, atMs: number): Record<string, Figures> {
  const prev = state.cpuSamples[name];
  let cpuPercent: number | null | undefined;
  if (cpuMs === null || pid === null) cpuPercent = null;
  else if (prev && prev.pid === pid && atMs > prev.atMs && cpuMs >= prev.cpuMs) cpuPercent = ((cpuMs - prev.cpuMs) / (atMs - prev.atMs)) * 100;
  else cpuPercent = state.figures[name]?.cpuPercent === undefined ? undefined : null;
  return { [name]: { ...state.figures[name], cpuPercent } };
}

/** A state change as the event tells it; restarts and health wait for the next list. */
export function applyEvent(state: TuiState, e: StateEvent): TuiState {
  const services = state.services.map((s) =>
    s.name === e.name ? { ...s, state: e.to, reason: e.reason, pid: e.pid, since: e.at } : s,
  );
  // Figures belong to a process: an event that ends it or brings a new one drops them.
  const old = state.services.find((s) => s.name === e.name);
  if (!old || old.pid === e.pid) return reselect({ ...state, services });
  const figures = { ...state.figures, [e.name]: { memoryBytes: null, cpuPercent: null } };
  const cpuSamples = { ...state.cpuSamples };
  delete cpuSamples[e.name];
  return reselect({ ...state, services, figures, cpuSamples });
}

/** The selected row's index among the visible rows (-1 when none). */
export function selectedIndex(state: TuiState): number {
  return visibleServices(state).findIndex((s) => s.name === state.selected);
}

/** The selected service, if one is visible. */
export function selectedService(state: TuiState): ServiceSummary | undefined {
  return visibleServices(state).find((s) => s.name === state.selected);
}

/** Moves the selection by `delta` visible rows, stopping at either end. */
export function moveSelection(state: TuiState, delta: number): TuiState {
  const rows = visibleServices(state);
  if (rows.length === 0) return state;
  const at = Math.min(rows.length - 1, Math.max(0, selectedIndex(state) + delta));
  return { ...state, selected: rows[at]!.name };
}

/** Opens an empty log pane on `name`, or closes it (null). */
export function withLogPane(state: TuiState, name: string | null): TuiState {
  return { ...state, logs: name === null ? null : { name, lines: [] } };
}

/** A line for the pane; ignored unless it belongs to the service the pane shows. */
export function appendLog(state: TuiState, line: LogLine): TuiState {
  if (!state.logs || line.name !== state.logs.name) return state;
  const lines = [...state.logs.lines, line].slice(-MAX_LOG_LINES);
  return { ...state, logs: { ...state.logs, lines } };
}

export function withMessage(state: TuiState, message: string): TuiState {
  return { ...state, message };
}

/** Starts typing a filter (`/`), keeping what was there. */
export function beginFilter(state: TuiState): TuiState {
  return { ...state, editingFilter: true };
}

/** The filter as typed so far; the selection follows what stays visible. */
export function withFilter(state: TuiState, filter: string): TuiState {
  return reselect({ ...state, filter });
}

/** Enter keeps the filter; Esc (keep = false) clears it. */
export function endFilter(state: TuiState, keep: boolean): TuiState {
  return reselect({ ...state, editingFilter: false, filter: keep ? state.filter : "" });
}

/** The next order in SORT_KEYS; `reverse` flips the direction instead. */
export function cycleSort(state: TuiState, reverse = false): TuiState {
  if (reverse) return { ...state, descending: !state.descending };
  const next = SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length]!;
  // Names read a to z; figures are most useful largest first.
  return { ...state, sort: next, descending: next === "restarts" || next === "memory" || next === "cpu" };
}

export function withConfirm(state: TuiState, confirm: TuiState["confirm"]): TuiState {
  return { ...state, confirm };
}

export function withHelp(state: TuiState, help: boolean): TuiState {
  return { ...state, help };
}
