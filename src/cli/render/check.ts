/**
 * `zinit check`: what is wrong with a config directory, one precise line per problem
 * (file errors, then cycles, then unknown references) and a one-line summary.
 */
import type { ConfigIssue, Unit } from "../../sdk/config/types.ts";
import { formatIssue } from "../../sdk/config/types.ts";
import type { Graph, UnknownReference } from "../../sdk/graph/types.ts";
import { paint } from "./color.ts";

export interface CheckReport {
  ok: boolean;
  services: number;
  targets: number;
  errors: ConfigIssue[];
  /** each cycle as "a -> b -> a" */
  cycles: string[];
  unknown: UnknownReference[];
}

/** Everything `check` reports, from the loader's result and the graph built over it. */
export function checkReport(units: readonly Unit[], errors: readonly ConfigIssue[], graph: Graph): CheckReport {
  const cycles = graph.cycles.map((c) => c.path.join(" -> "));
  const unknown = [...graph.unknown];
  return {
    ok: errors.length === 0 && cycles.length === 0 && unknown.length === 0,
    services: units.filter((u) => u.kind === "service").length,
    targets: units.filter((u) => u.kind === "target").length,
    errors: errors.map((e) => ({ file: e.file, path: e.path, message: e.message })),
    cycles,
    unknown,
  };
}

const VERB: Record<UnknownReference["type"], string> = {
  requires: "requires",
  wants: "wants",
  after: "starts after",
  conflicts: "conflicts with",
};

/** `web requires unknown service "db"` */
export function formatUnknown(u: UnknownReference): string {
  return `${u.from} ${VERB[u.type] ?? u.type} unknown service ${JSON.stringify(u.to)}`;
}

export function renderCheck(r: CheckReport, opts: { color: boolean }): string {
  const p = paint(opts.color);
  const lines: string[] = [];
  for (const e of r.errors) lines.push(formatIssue(e));
  for (const c of r.cycles) lines.push(`cycle: ${c}`);
  for (const u of r.unknown) lines.push(formatUnknown(u));
  const summary =
    `${r.services} services, ${r.targets} targets, ${r.errors.length} errors, ` +
    `${r.cycles.length} cycles, ${r.unknown.length} unknown references`;
  lines.push(r.ok ? p.green(summary) : p.red(summary));
  return lines.join("\n");
}
