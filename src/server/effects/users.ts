/**
 * Resolves `user` / `group` of a service to numeric ids from /etc/passwd and
 * /etc/group (no NSS: scratch images have these files or nothing). A user without
 * a group runs with the user's primary group, never with root's gid 0 (Bun keeps
 * gid 0 when only uid is given).
 */
import { readFileSync } from "node:fs";
import { ZinitError } from "../../sdk/errors.ts";

interface Ids {
  uid?: number;
  gid?: number;
}

function readTable(path: string): string[][] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(":"));
  } catch {
    return [];
  }
}

function numeric(v: string): number | undefined {
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

export function resolveIds(user: string | null, group: string | null, etc = "/etc"): Ids {
  const ids: Ids = {};
  if (user !== null) {
    const asNumber = numeric(user);
    const row = readTable(`${etc}/passwd`).find((r) => (asNumber !== undefined ? Number(r[2]) === asNumber : r[0] === user));
    if (!row && asNumber === undefined) throw new ZinitError("invalid_config", `user ${JSON.stringify(user)} not found in ${etc}/passwd`);
    ids.uid = asNumber ?? Number(row![2]);
    ids.gid = row ? Number(row[3]) : asNumber;
  }
  if (group !== null) {
    const asNumber = numeric(group);
    const row = readTable(`${etc}/group`).find((r) => r[0] === group);
    if (!row && asNumber === undefined) throw new ZinitError("invalid_config", `group ${JSON.stringify(group)} not found in ${etc}/group`);
    ids.gid = asNumber ?? Number(row![2]);
  }
  return ids;
}
