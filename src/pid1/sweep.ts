/**
 * The last sweep of a PID namespace: SIGTERM to every process but us, then SIGKILL
 * to what is left after a grace period. Only as PID 1 (kill(-1) elsewhere would hit
 * the whole host; libc.killAll refuses it).
 */
import { readdirSync, readFileSync } from "node:fs";
import { killAll } from "../sys/libc.ts";

/**
 * User processes alive in our namespace other than us (needs /proc of this
 * namespace). Kernel threads, which kill(-1) never reaches, and zombies, which the
 * reaper is about to take, have an empty cmdline and are left out.
 */
export function otherProcesses(): number[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((p) => p !== process.pid && hasCmdline(p));
  } catch {
    return [];
  }
}

function hasCmdline(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`).length > 0;
  } catch {
    return false;
  }
}

export async function sweepNamespace(graceMs: number, log: (msg: string) => void): Promise<void> {
  if (process.pid !== 1) return;
  if (otherProcesses().length === 0) return;
  killAll("SIGTERM");
  const deadline = Date.now() + graceMs;
  // A bounded wait during the final sweep only: the reaper takes the exits.
  while (otherProcesses().length > 0 && Date.now() < deadline) await Bun.sleep(20);
  const left = otherProcesses();
  if (left.length > 0) {
    log(`sweep: SIGKILL to ${left.length} processes still alive after ${graceMs} ms`);
    killAll("SIGKILL");
    const hard = Date.now() + 2000;
    while (otherProcesses().length > 0 && Date.now() < hard) await Bun.sleep(20);
  }
}
