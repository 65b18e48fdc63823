/**
 * `zinit status NAME`: a key/value block per service, one fact a line, so that
 * `zinit status web | grep '^state:'` works. Empty values are "-".
 */
import type { ServiceStatusResult } from "../../sdk/protocol/types.ts";
import { paint, stateColor } from "./color.ts";
import { describeExit, elapsedSince, formatDuration } from "./time.ts";

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
