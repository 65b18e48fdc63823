/**
 * One server per socket and per config directory, enforced with two flock(2) locks
 * taken before anything is started:
 *
 * - on `<socket>.lock`, a file next to the socket. It is never deleted, so removing
 *   the socket file under a running server does not let a second one in (a live
 *   socket alone cannot prove that: a deleted socket file still has its listener);
 * - on the config directory itself, opened read-only (a read-only directory such as
 *   a Kubernetes ConfigMap mount is fine). A missing directory is not locked.
 *
 * The kernel drops both locks when the holder dies, however it dies, so a server
 * restarted after a crash gets them again with nothing to clean up. The fds are
 * close-on-exec and Bun hands its children only fds 0-2, so services never hold them.
 *
 * The holder's pid is written into the lock file, but /proc/locks is asked first:
 * it numbers the holder as this PID namespace sees it. It leaves out a lock whose
 * holder this namespace cannot see (another container), and then the pid from the
 * file is the holder's own view, said as such.
 */
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ZinitError } from "../../sdk/errors.ts";
import { tryLockExclusive } from "../../sys/libc.ts";

export interface InstanceLock {
  lockFile: string;
  /** null when the config directory did not exist or could not be locked */
  configDir: string | null;
  /** things a person should know that did not stop the server */
  warnings: string[];
}

/** The lock file that guards a socket path. */
export function lockFileOf(socket: string): string {
  return `${socket}.lock`;
}

/**
 * Takes both locks for the life of this process, or throws a `refused` ZinitError
 * naming the holder. The fds stay open on purpose: closing one would drop its lock.
 */
export function lockInstance(socket: string, configDir: string): InstanceLock {
  const lockFile = lockFileOf(socket);
  if (process.platform !== "linux") {
    // flock goes through zinit's libc layer, which is Linux-only.
    return { lockFile, configDir: null, warnings: [`no instance lock on ${process.platform}: a second server on ${socket} would not be detected`] };
  }
  // listenRpc creates the socket's directory too; the lock file comes first.
  mkdirSync(dirname(socket), { recursive: true, mode: 0o755 });
  let fd: number;
  try {
    fd = openSync(lockFile, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new ZinitError("failed", `cannot open the lock file ${lockFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!tryLockExclusive(fd)) {
    const holder = describeHolder(fd, readPid(fd));
    closeSync(fd);
    throw new ZinitError("refused", `another zinit server already serves ${socket} (lock ${lockFile} held by ${holder})`);
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);

  const warnings: string[] = [];
  let dirFd: number;
  try {
    dirFd = openSync(configDir, constants.O_RDONLY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") warnings.push(`cannot lock the config directory ${configDir} (${code ?? (err as Error).message}): a second server on it would not be detected`);
    return { lockFile, configDir: null, warnings };
  }
  let locked: boolean;
  try {
    locked = tryLockExclusive(dirFd);
  } catch (err) {
    // e.g. a network file system that cannot flock a read-only fd; the socket lock still holds.
    closeSync(dirFd);
    warnings.push(`cannot lock the config directory ${configDir} (${(err as Error).message}): a second server on it would not be detected`);
    return { lockFile, configDir: null, warnings };
  }
  if (!locked) {
    const holder = describeHolder(dirFd, null);
    closeSync(dirFd);
    throw new ZinitError("refused", `another zinit server already supervises ${configDir} (the directory is locked by ${holder})`);
  }
  return { lockFile, configDir, warnings };
}

function readPid(fd: number): number | null {
  try {
    const buf = Buffer.alloc(32);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString("utf8").trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/** "pid 1234", "pid 7 (not visible in this PID namespace)", or "another process". */
function describeHolder(fd: number, filePid: number | null): string {
  let listed: number | null = null;
  let readable = false;
  try {
    const st = fstatSync(fd, { bigint: true });
    const text = readFileSync("/proc/locks", "utf8");
    readable = true;
    listed = flockHolder(text, st.dev, st.ino);
  } catch {}
  if (listed !== null) return `pid ${listed}`;
  if (filePid !== null) return readable ? `pid ${filePid} (not visible in this PID namespace)` : `pid ${filePid}`;
  return readable ? "a process not visible in this PID namespace" : "another process";
}

/**
 * The pid holding a FLOCK on the inode (dev, ino) according to /proc/locks text, or
 * null when no such lock is listed. Lines look like
 * `3: FLOCK  ADVISORY  WRITE 1234 fe:00:2147416 0 EOF`; a waiter's has `->` after
 * the number. On overlayfs st_dev may not be the device /proc/locks shows, so a
 * lone match on the inode number alone is accepted too.
 */
export function flockHolder(procLocks: string, dev: bigint, ino: bigint): number | null {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const sameInode: number[] = [];
  for (const line of procLocks.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[1] !== "FLOCK" || !/^\d+$/.test(f[4] ?? "")) continue;
    const id = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/.exec(f[5] ?? "");
    if (!id || BigInt(id[3]!) !== ino) continue;
    const pid = Number(f[4]);
    if (BigInt(`0x${id[1]}`) === major && BigInt(`0x${id[2]}`) === minor) return pid;
    sameInode.push(pid);
  }
  return sameInode.length === 1 ? sameInode[0]! : null;
}
