/**
 * What the server tells zinit-pid1 besides its exit status, one line per fact on
 * a pipe pid1 passes as an extra fd (`zinit server --report-fd N`). Today one fact:
 * a critical unit failed, and the status zinit must end with. Pure: the format and
 * its parser, shared by both ends.
 */
/** The server's exit status tells pid1 what comes next; anything else is a crash. */
export const SERVER_EXIT = { shutdown: 0, poweroff: 10, reboot: 11, critical: 12 } as const;

export interface CriticalReport {
  name: string;
  status: number;
}

export function formatCriticalReport(r: CriticalReport): string {
  return `critical ${r.status} ${r.name}\n`;
}

/** The report a line holds, or null for a line this version does not know. */
export function parseReport(line: string): CriticalReport | null {
  const m = /^critical (\d{1,3}) (\S+)$/.exec(line.trim());
  if (!m) return null;
  const status = Number(m[1]);
  return status <= 255 ? { name: m[2]!, status } : null;
}
