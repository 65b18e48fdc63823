/**
 * Restart policy and back-off, pure. The n-th consecutive restart waits
 * restart_delay_ms * 2^(n-1), capped; the count resets once the process had been
 * running for the service's stability_period_ms.
 */
import type { Lifecycle } from "../../sdk/config/types.ts";
import type { ExitStatus } from "./exit.ts";
import { describeExit } from "./exit.ts";

/** pid1's own rule for restarting the server (a service has stability_period_ms). */
export const STABLE_RUN_MS = 10_000;

export function restartDelay(n: number, baseMs: number, maxMs: number): number {
  if (n <= 0) return 0;
  // 2^(n-1) overflows to Infinity for huge n, which the cap absorbs.
  return Math.min(baseMs * 2 ** (n - 1), maxMs);
}

export type ExitDecision =
  | { action: "exited"; reason: string }
  | { action: "failed"; reason: string }
  | { action: "restart"; delayMs: number; attempt: number; reason: string };

export interface ExitContext {
  oneshot: boolean;
  lifecycle: Lifecycle;
  /** consecutive restarts so far (before this exit) */
  consecutiveRestarts: number;
  /** how long the process had been running (ms) */
  ranForMs: number;
}

/** Whether an exit counts as a failure for `on-failure` and for oneshots. */
export function isFailure(exit: ExitStatus): boolean {
  return exit.code !== 0 || exit.signal !== null || exit.timedOut || exit.unhealthy !== null;
}

export function decideOnExit(exit: ExitStatus, ctx: ExitContext): ExitDecision {
  const what = describeExit(exit);
  const failure = isFailure(exit);
  const policy = ctx.lifecycle.restart;
  if (ctx.oneshot && !failure) return { action: "exited", reason: what };
  const wantsRestart = policy === "always" || (policy === "on-failure" && failure);
  if (!wantsRestart) return failure ? { action: "failed", reason: what } : { action: "exited", reason: what };
  const previous = ctx.ranForMs >= ctx.lifecycle.stability_period_ms ? 0 : ctx.consecutiveRestarts;
  const max = ctx.lifecycle.max_restarts;
  if (max > 0 && previous >= max) {
    return { action: "failed", reason: `gave up after ${previous} restart${previous === 1 ? "" : "s"}: ${what}` };
  }
  const attempt = previous + 1;
  const delayMs = restartDelay(attempt, ctx.lifecycle.restart_delay_ms, ctx.lifecycle.restart_delay_max_ms);
  return { action: "restart", delayMs, attempt, reason: `${what}; restarting in ${delayMs} ms (attempt ${attempt})` };
}
