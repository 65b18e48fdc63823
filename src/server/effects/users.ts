/**
 * Resolves `user` / `group` of a service to numeric ids from /etc/passwd and
 * /etc/group (no NSS: scratch images have these files or nothing). A user without
 * a group runs with the user's primary group, never with root's gid 0 (Bun keeps
 * gid 0 when only uid is given).
 *
 * A service run as `user` also gets that user's login variables (HOME, USER,
 * LOGNAME, SHELL), as systemd does for User=: otherwise it would inherit root's
 * HOME from zinit and write its dotfiles there. `group` alone changes none of them.
 */
import { readFileSync } from "node:fs";
import { ZinitError } from "../../sdk/errors.ts";

interface Ids {
  uid?: number;
  gid?: number;
}

/** Credentials plus the login variables that go with them (empty without `user`). */
export interface Account extends Ids {
  loginEnv: Record<string, string>;
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

/** uid/gid for `user`/`group` (names or numbers) and the login variables of `user`; throws for a name not found. */
export function resolveAccount(user: string | null, group: string | null, etc = "/etc"): Account {
  const account: Account = { loginEnv: {} };
  if (user !== null) {
    const asNumber = numeric(user);
    const row = readTable(`${etc}/passwd`).find((r) => (asNumber !== undefined ? Number(r[2]) === asNumber : r[0] === user));
    if (!row && asNumber === undefined) throw new ZinitError("invalid_config", `user ${JSON.stringify(user)} not found in ${etc}/passwd`);
    account.uid = asNumber ?? Number(row![2]);
    account.gid = row ? Number(row[3]) : asNumber;
    // A bare uid without a passwd entry must not look like root either.
    account.loginEnv = row ? loginEnvOf(row) : { HOME: "/", USER: user, LOGNAME: user };
  }
  if (group !== null) {
    const asNumber = numeric(group);
    const row = readTable(`${etc}/group`).find((r) => r[0] === group);
    if (!row && asNumber === undefined) throw new ZinitError("invalid_config", `group ${JSON.stringify(group)} not found in ${etc}/group`);
    account.gid = asNumber ?? Number(row![2]);
  }
  return account;
}

/** name:passwd:uid:gid:gecos:home:shell; an empty home becomes "/" (never root's), an empty shell is not set. */
function loginEnvOf(row: string[]): Record<string, string> {
  const env: Record<string, string> = { USER: row[0]!, LOGNAME: row[0]!, HOME: row[5] || "/" };
  if (row[6]) env.SHELL = row[6];
  return env;
}
