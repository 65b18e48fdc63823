/**
 * `zinit status NAME`: a key/value block per service, one fact a line, so that
 * `zinit status web | grep '^state:'` works. Empty values are "-".
 */
import type { ServiceStatusResult } from "../../sdk/protocol/types.ts";
import { paint, stateColor } from "./color.ts";
import { describeExit, elapsedSince, formatDuration } from "./time.ts";
import { formatBytes, formatCpu } from "./units.ts";

export interface StatusOptions {
  nowMs: number;
  color: boolean;
}

export function renderStatus(s: ServiceStatusResult, opts: StatusOptions): string {
  const p = paint(opts.color);
  const rows: [string, string][] = [];
  rows.push(["name", p.bold(s.name)]);
  rows.push(["kind", s.kind]);
  const state = stateColor(s.state, p)(s.state);
  rows.push(["state", s.reason ? `${state} (${s.reason})` : state]);
  rows.push(["pid", s.pid === null ? "-" : String(s.pid)]);
  const elapsed = elapsedSince(s.since, opts.nowMs);
  rows.push(["since", elapsed === undefined ? s.since || "-" : `${s.since} (${formatDuration(elapsed)} ago)`]);
  rows.push(["restarts", String(s.restarts)]);
  if (s.kind === "service") rows.push(...figureRows(s));
  rows.push(["last exit", describeExit(s.exit)]);
  rows.push(["health", describeHealth(s, opts.nowMs, p.red, p.green)]);
  rows.push(["class", s.class]);
  rows.push(["status", s.status]);
  const exec = execOf(s.config);
  if (s.kind === "service" && exec) rows.push(["exec", exec]);
  const deps = s.dependencies;
  rows.push(["requires", list(deps?.requires)]);
  rows.push(["after", list(deps?.after)]);
  rows.push(["wants", list(deps?.wants)]);
  rows.push(["conflicts", list(deps?.conflicts)]);
  rows.push(["dependents", list(s.dependents)]);
  if (s.file) rows.push(["file", s.file]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join("\n");
}

/**
 * Memory, CPU and processes (absent from older servers, so shown only when
 * present), and the log file. Each process is a line of its own under
 * `processes:`, indented, so `grep '^memory:'` still finds one line.
 */
function figureRows(s: ServiceStatusResult): [string, string][] {
  const rows: [string, string][] = [];
  if (s.memory_bytes !== undefined) rows.push(["memory", s.memory_bytes === null ? "-" : formatBytes(s.memory_bytes)]);
  if (s.cpu_ms !== undefined) rows.push(["cpu", s.cpu_ms === null ? "-" : formatCpu(s.cpu_ms)]);
  if (s.processes !== undefined) {
    // A command line is anybody's text: control characters would reach the terminal.
    const procs = s.processes.map((p) => `\n  ${p.pid} ${p.cmd.replace(/[\x00-\x1f\x7f]/g, "?")}`).join("");
    rows.push(["processes", `${s.processes.length}${procs}`]);
  }
  const f = s.log_file;
  if (f) {
    const facts = [formatBytes(f.size), `${f.dropped} dropped`];
    if (f.error) facts.push(`error: ${f.error}`);
    rows.push(["log file", `${f.path} (${facts.join(", ")})`]);
  }
  return rows;
}

/** Several statuses, a blank line between blocks. */
export function renderStatuses(list: readonly ServiceStatusResult[], opts: StatusOptions): string {
  return list.map((s) => renderStatus(s, opts)).join("\n\n");
}

/**
 * The current health, or "-" when no process is probed; then the last result of
 * the process that is gone, marked as such with its time, so it is never read as
 * the state of things now. A server too old to send last_health has its stale
 * result shown the same way.
 */
function describeHealth(s: ServiceStatusResult, nowMs: number, bad: (t: string) => string, good: (t: string) => string): string {
  const live = s.pid !== null && (s.state === "starting" || s.state === "running");
  const current = live ? s.health : null;
  const last = live ? null : (s.last_health ?? (s.health?.checked_at ? s.health : null));
  const word = (status: string) => (status === "failing" ? bad(status) : status === "passing" ? good(status) : status);
  if (current) {
    let text = word(current.status);
    if (current.error) text += ` (${current.error})`;
    if (current.checked_at) text += `, checked ${current.checked_at}`;
    return text;
  }
  if (!last?.checked_at) return "-";
  const ago = elapsedSince(last.checked_at, nowMs);
  let text = `- (last check before the process ended: ${word(last.status)}`;
  if (last.error) text += `, ${last.error}`;
  return `${text}, at ${last.checked_at}${ago === undefined ? "" : `, ${formatDuration(ago)} ago`})`;
}

function list(names: readonly string[] | undefined): string {
  return names && names.length > 0 ? names.join(", ") : "-";
}

/** The command line from the effective config, words quoted where a shell would need it. */
function execOf(config: Record<string, unknown> | undefined): string | undefined {
  const service = config?.service as { exec?: unknown } | undefined;
  const exec = service?.exec;
  if (Array.isArray(exec)) return exec.map((w) => quoteWord(String(w))).join(" ");
  return typeof exec === "string" ? exec : undefined;
}

/** A word as it would be written for zinit's shell-like splitter. */
export function quoteWord(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
