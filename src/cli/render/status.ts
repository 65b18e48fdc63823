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
  rows.push(["health", describeHealth(s, p.red, p.green)]);
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

function describeHealth(s: ServiceStatusResult, bad: (t: string) => string, good: (t: string) => string): string {
  const h = s.health;
  if (!h) return "-";
  let text = h.status === "failing" ? bad(h.status) : h.status === "passing" ? good(h.status) : h.status;
  if (h.error) text += ` (${h.error})`;
  if (h.checked_at) text += `, checked ${h.checked_at}`;
  return text;
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
