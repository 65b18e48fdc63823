/**
 * The one function that writes a service's state. It refuses edges the state model
 * does not allow (a bug, so it throws), stamps since/reason and returns the event
 * for the caller to emit. Self-edges exist only where the reason can change while
 * the state stays (blocked on something else, a failed service re-failed by reload,
 * a back-off wait turning into a spawn).
 */
import type { ServiceState } from "../../sdk/states.ts";
import type { StateEvent } from "../../sdk/protocol/types.ts";

const ALLOWED: Record<ServiceState, readonly ServiceState[]> = {
  inactive: ["inactive", "blocked", "starting", "running", "failed"],
  blocked: ["blocked", "inactive", "starting", "running", "failed"],
  starting: ["starting", "running", "stopping", "exited", "failed", "blocked", "inactive"],
  running: ["stopping", "starting", "exited", "failed", "blocked", "inactive"],
  stopping: ["inactive", "blocked", "starting", "exited", "failed"],
  exited: ["starting", "running", "blocked", "inactive", "failed"],
  failed: ["failed", "starting", "running", "blocked", "inactive"],
};

export function isAllowed(from: ServiceState, to: ServiceState): boolean {
  return ALLOWED[from].includes(to);
}

export class IllegalTransition extends Error {
  constructor(name: string, from: ServiceState, to: ServiceState, reason: string) {
    super(`illegal transition of ${name}: ${from} -> ${to} (${reason})`);
    this.name = "IllegalTransition";
  }
}

/** What a transition needs to read and write; the supervisor's record satisfies it. */
export interface Transitionable {
  readonly name: string;
  state: ServiceState;
  reason: string;
  since: number; // epoch ms
  pid: number | null;
}

/**
 * Moves `rec` to `to`. Returns the event, or null when nothing changed (same state,
 * same reason): callers emit only real changes.
 */
export function transition(rec: Transitionable, to: ServiceState, reason: string, now: number): StateEvent | null {
  const from = rec.state;
  if (from === to && rec.reason === reason) return null;
  if (!isAllowed(from, to)) throw new IllegalTransition(rec.name, from, to, reason);
  rec.state = to;
  rec.reason = reason;
  if (from !== to) rec.since = now;
  return { name: rec.name, from, to, at: new Date(now).toISOString(), reason, pid: rec.pid };
}
