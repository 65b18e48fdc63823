/**
 * How a process ended, as one object with a one-line summary: the state machine
 * and `status` both speak of exits through it.
 */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
  /** killed by zinit because start_timeout_ms ran out */
  timedOut: boolean;
  /** killed by zinit because the health check failed; the probe's error */
  unhealthy: string | null;
  /** needed SIGKILL after stop_timeout_ms */
  forced: boolean;
  /** no process ran: the start itself failed (e.g. on an env file), in these words */
  startError?: string;
  /** the OOM killer ended it: the limit in force ("memory_max 256M"), or "" without one */
  oom?: string;
}

export function exitOf(code: number | null, signal: string | null): ExitStatus {
  return { code, signal, timedOut: false, unhealthy: null, forced: false };
}

export function describeExit(exit: ExitStatus): string {
  if (exit.startError !== undefined) return exit.startError;
  if (exit.timedOut) return "start timeout";
  if (exit.unhealthy !== null) return exit.unhealthy;
  if (exit.oom !== undefined) return exit.oom === "" ? "killed by the OOM killer" : `killed by the OOM killer (${exit.oom})`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? "unknown"}`;
}
