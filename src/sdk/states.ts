/**
 * The seven public states of a service (see docs/architecture.md). Frozen: finer detail
 * (waiting for back-off, SIGTERM sent, SIGKILL sent) lives in a separate phase.
 */
export const SERVICE_STATES = [
  "inactive",
  "blocked",
  "starting",
  "running",
  "stopping",
  "exited",
  "failed",
] as const;

export type ServiceState = (typeof SERVICE_STATES)[number];

/** A state a dependent may count as "settled": nothing more will happen without a new request. */
export function isSettled(state: ServiceState): boolean {
  return state === "running" || state === "exited" || state === "failed" || state === "inactive";
}
