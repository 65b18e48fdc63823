/**
 * What the tui shows, as plain data, and the pure steps that change it. The app
 * (app.ts) feeds it server answers, events, log lines and keys; the frame
 * renderer (frame.ts) draws it. The selection is held by name, so it stays on
 * the same service when the list changes under it.
 */
import type { LogLine, ServiceSummary, StateEvent } from "../../sdk/protocol/types.ts";

/** Lines of log kept for the pane; more than any screen shows. */
export const MAX_LOG_LINES = 500;

export interface LogPane {
  name: string;
  lines: LogLine[];
}

export interface TuiState {
  /** sorted by name */
  services: ServiceSummary[];
  selected: string | undefined;
  /** the log pane, when open: the selected service's latest lines */
  logs: LogPane | null;
  /** the result of the last action, shown on the title line */
  message: string;
}

export function initialState(services: ServiceSummary[] = []): TuiState {
  return withServices({ services: [], selected: undefined, logs: null, message: "" }, services);
}

/** A fresh list from the server; the selection stays if the service still exists. */
export function withServices(state: TuiState, services: readonly ServiceSummary[]): TuiState {
  const sorted = [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const keep = sorted.some((s) => s.name === state.selected);
  return { ...state, services: sorted, selected: keep ? state.selected : sorted[0]?.name };
}

/** A state change as the event tells it; restarts and health wait for the next list. */
export function applyEvent(state: TuiState, e: StateEvent): TuiState {
  const services = state.services.map((s) =>
    s.name === e.name ? { ...s, state: e.to, reason: e.reason, pid: e.pid, since: e.at } : s,
  );
  return { ...state, services };
}

export function selectedIndex(state: TuiState): number {
  return state.services.findIndex((s) => s.name === state.selected);
}

/** Moves the selection by `delta` rows, stopping at either end. */
export function moveSelection(state: TuiState, delta: number): TuiState {
  if (state.services.length === 0) return state;
  const at = Math.min(state.services.length - 1, Math.max(0, selectedIndex(state) + delta));
  return { ...state, selected: state.services[at]!.name };
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
