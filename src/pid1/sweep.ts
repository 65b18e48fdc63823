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

/** "1234 (sleep), 1240 (sh)": what a wait is for, in the pids of our namespace. */
export function describeProcesses(pids: number[], max = 10): string {
  const shown = pids.slice(0, max).map((p) => `${p} (${commOf(p)})`);
  if (pids.length > max) shown.push(`and ${pids.length - max} more`);
  return shown.join(", ");
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "gone";
  }
}

const processes = (n: number) => `${n} process${n === 1 ? "" : "es"}`;

/** Most processes end within this much of SIGTERM; only a longer wait is worth a log line. */
const QUIET_MS = 100;

export async function sweepNamespace(graceMs: number, log: (msg: string) => void): Promise<void> {
  if (process.pid !== 1) return;
  if (otherProcesses().length === 0) return;
  killAll("SIGTERM");
  const sentAt = Date.now();
  const deadline = sentAt + graceMs;
  // A bounded wait during the final sweep only: the reaper takes the exits.
  const waitUntil = async (t: number) => {
    while (otherProcesses().length > 0 && Date.now() < t) await Bun.sleep(20);
  };
  await waitUntil(Math.min(sentAt + QUIET_MS, deadline));
  const waiting = otherProcesses();
  if (waiting.length > 0 && Date.now() < deadline) {
    // Say what the grace period is spent on: an orphan ignoring SIGTERM costs all of it.
    log(`sweep: waiting up to ${graceMs} ms for ${processes(waiting.length)} to exit after SIGTERM: ${describeProcesses(waiting)}`);
    await waitUntil(deadline);
  }
  const left = otherProcesses();
  if (left.length > 0) {
    log(`sweep: SIGKILL to ${processes(left.length)} still alive ${graceMs} ms after SIGTERM: ${describeProcesses(left)}`);
    killAll("SIGKILL");
    const hard = Date.now() + 2000;
    while (otherProcesses().length > 0 && Date.now() < hard) await Bun.sleep(20);
  }
}
