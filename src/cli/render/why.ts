/**
 * `zinit why NAME`: why a service is where it is. Its state and reason, each of its
 * requires/after/wants dependencies with the state it is in and whether the service
 * waits for it (the rules are in docs/configuration.md), the cycle it lies on, and how it last exited.
 */
import type { ExitInfo, ServiceStatusResult } from "../../sdk/protocol/types.ts";
import { paint, stateColor } from "./color.ts";
import { renderTable } from "./table.ts";
import { describeExit, elapsedSince, formatDuration } from "./time.ts";

export type DependencyType = "requires" | "after" | "wants" | "conflicts";

export interface WhyDependency {
  type: DependencyType;
  name: string;
  /** the dependency's state, or "unknown" when no such service is loaded */
  state: string;
  reason: string;
  /** true when this dependency is what holds the service back now */
  waits: boolean;
  note: string;
}

export interface WhyReport {
  name: string;
  kind: string;
  state: string;
  reason: string;
  since: string;
  restarts: number;
  exit: ExitInfo | null;
  health: ServiceStatusResult["health"];
  dependencies: WhyDependency[];
  /** the cycle the service lies on, "a -> b -> a", or null */
  cycle: string | null;
  /** names of the dependencies it waits for */
  waiting_for: string[];
}

const IN_MOTION = new Set(["blocked", "starting"]);

/**
 * Applies the dependency rules to the statuses: `deps` maps each dependency name to
 * its status, or null when the server does not know it; `cycles` are the graph's.
 */
export function explain(
  s: ServiceStatusResult,
  deps: ReadonlyMap<string, ServiceStatusResult | null>,
  cycles: readonly string[],
): WhyReport {
  const dependencies: WhyDependency[] = [];
  const types: DependencyType[] = ["requires", "wants", "after", "conflicts"];
  for (const type of types) {
    for (const name of s.dependencies?.[type] ?? []) {
      dependencies.push(judge(type, name, deps.get(name) ?? null));
    }
  }
  // Only a service that is held back is waiting for anything.
  const held = s.state === "blocked";
  if (!held) for (const d of dependencies) d.waits = false;
  const cycle = cycles.find((c) => c.split(" -> ").includes(s.name)) ?? null;
  return {
    name: s.name,
    kind: s.kind,
    state: s.state,
    reason: s.reason,
    since: s.since,
    restarts: s.restarts,
    exit: s.exit,
    health: s.health,
    dependencies,
    cycle,
    waiting_for: dependencies.filter((d) => d.waits).map((d) => d.name),
  };
}

function judge(type: DependencyType, name: string, b: ServiceStatusResult | null): WhyDependency {
  if (!b) {
    const hard = type === "requires";
    return {
      type,
      name,
      state: "unknown",
      reason: "",
      waits: hard,
      note: hard ? "no such service: blocked until a reload adds it" : "no such service",
    };
  }
  const base = { type, name, state: b.state as string, reason: b.reason };
  switch (type) {
    case "requires": {
      if (b.state === "running") return { ...base, waits: false, note: "" };
      if (isOneshot(b) && b.state === "exited" && (b.exit?.code ?? 0) === 0 && !b.exit?.signal) {
        return { ...base, waits: false, note: "oneshot done" };
      }
      if (b.status === "ignore") return { ...base, waits: true, note: "ignored: zinit never starts it" };
      return { ...base, waits: true, note: isOneshot(b) ? "must finish with exit 0" : "must be running" };
    }
    case "wants": {
      if (b.status === "ignore") return { ...base, waits: false, note: "ignored: not waited for" };
      if (IN_MOTION.has(b.state)) return { ...base, waits: true, note: "waiting until it settles" };
      return { ...base, waits: false, note: b.state === "failed" ? "soft: its failure does not block" : "" };
    }
    case "after": {
      if (IN_MOTION.has(b.state)) return { ...base, waits: true, note: "starting too: waiting until it settles" };
      return { ...base, waits: false, note: "" };
    }
    case "conflicts":
      return { ...base, waits: false, note: b.state === "running" ? "would be stopped by a start" : "" };
  }
}

function isOneshot(s: ServiceStatusResult): boolean {
  const service = s.config?.service as { oneshot?: unknown } | undefined;
  return service?.oneshot === true;
}

export function renderWhy(r: WhyReport, opts: { nowMs: number; color: boolean }): string {
  const p = paint(opts.color);
  const lines: string[] = [];
  const state = stateColor(r.state, p)(r.state);
  const elapsed = elapsedSince(r.since, opts.nowMs);
  const since = elapsed === undefined ? "" : ` for ${formatDuration(elapsed)}`;
  lines.push(`${p.bold(r.name)} is ${state}${since}${r.reason ? `: ${r.reason}` : ""}`);
  if (r.waiting_for.length > 0) lines.push(`waiting for: ${r.waiting_for.join(", ")}`);
  if (r.dependencies.length === 0) {
    lines.push("dependencies: none");
  } else {
    lines.push("dependencies:");
    const rows = r.dependencies.map((d) => [
      `  ${d.type}`,
      d.name,
      { text: d.state, paint: d.state === "unknown" ? p.red : stateColor(d.state, p) },
      d.waits ? { text: "WAITING", paint: p.yellow } : "ok",
      [d.reason, d.note].filter(Boolean).join("; "),
    ]);
    lines.push(...renderTable([], rows).split("\n").map((l) => l.trimEnd()));
  }
  lines.push(`cycle: ${r.cycle ?? "-"}`);
  lines.push(`last exit: ${describeExit(r.exit)} (restarts: ${r.restarts})`);
  if (r.health) {
    lines.push(`health: ${r.health.status}${r.health.error ? ` (${r.health.error})` : ""}`);
  }
  return lines.join("\n");
}
