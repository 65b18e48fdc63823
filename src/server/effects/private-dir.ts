/**
 * The /tmp directory of user mode (used when $XDG_RUNTIME_DIR is unset). /tmp is
 * shared: another user may have made the directory first, as a trap, to own the
 * socket's directory and swap the socket for one of their own. So the directory
 * must be a real directory (not a symlink), owned by us; its mode is narrowed to
 * 0700 if we own it and it is wider. Anything else refuses the start, saying how
 * to get around it.
 */
import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { ZinitError } from "../../sdk/errors.ts";

export function ensurePrivateDir(dir: string, uid: number): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") throw new ZinitError("failed", `cannot create the socket directory ${dir}: ${code ?? (err as Error).message}`);
  }
  const st = lstatSync(dir);
  const around = "set XDG_RUNTIME_DIR, ZINIT_SOCKET or --socket to a directory of your own";
  if (!st.isDirectory()) throw new ZinitError("refused", `${dir} is not a directory (a symlink or file someone else put there?); ${around}`);
  if (st.uid !== uid) throw new ZinitError("refused", `${dir} belongs to uid ${st.uid}, not to uid ${uid}: refusing to put the socket there; ${around}`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
