/**
 * The result of start/stop/restart per service: `web: running` on stdout when it
 * settled as asked; on stderr `zinit: web failed: exit code 3` or
 * `zinit: web did not settle within 60s: still blocked (requires db (starting))`.
 */
import type { Outcome } from "../settle.ts";
import { paint, stateColor } from "./color.ts";

export interface RenderedOutcome {
  stdout: string[];
  stderr: string[];
}

export function renderOutcomes(
  outcomes: readonly Outcome[],
  opts: { color: boolean; timeoutS: number; waited: boolean; action: string },
): RenderedOutcome {
  const p = paint(opts.color);
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const o of outcomes) {
    if (o.error) {
      stderr.push(`zinit: ${o.error.message}`);
    } else if (!opts.waited) {
      stdout.push(`${o.name}: ${opts.action} requested`);
    } else if (!o.settled) {
      const reason = o.reason ? ` (${o.reason})` : "";
      stderr.push(`zinit: ${o.name} did not settle within ${opts.timeoutS}s: still ${o.state ?? "unknown"}${reason}`);
    } else if (o.state === "failed") {
      stderr.push(`zinit: ${o.name} failed${o.reason ? `: ${o.reason}` : ""}`);
    } else {
      const state = o.state ?? "unknown";
      stdout.push(`${o.name}: ${stateColor(state, p)(state)}${o.reason ? ` (${o.reason})` : ""}`);
    }
  }
  return { stdout, stderr };
}

/** 0 when all went as asked; the first request error's own code; else 1. */
export function outcomesExitCode(outcomes: readonly Outcome[]): number {
  const firstError = outcomes.find((o) => o.error);
  if (firstError?.error) return firstError.error.exitCode;
  return outcomes.every((o) => o.ok) ? 0 : 1;
}
