/**
 * The socket file's lifecycle, apart from what travels through it.
 *
 * Invariants:
 * - The file is created private (mode 0600): only its owner, normally root, may
 *   connect. Bun.listen has no mode option, so the umask is narrowed around the
 *   bind, which is synchronous: there is no moment when the file is wider.
 * - A file left by a dead server (nobody answers) is replaced; a file a live
 *   server answers on is never taken over, and a file that is not a socket is
 *   never touched.
 * - On close only the file this server bound is removed, never one that another
 *   server bound at the same path since.
 */
import { lstatSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { ZinitError } from "../../sdk/errors.ts";

// How long a connect attempt may hang before the socket counts as live: a
// listener whose backlog is full accepts late but is alive.
const PROBE_TIMEOUT_MS = 1000;

function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

function alreadyServed(socketPath: string): ZinitError {
  return new ZinitError("refused", `another zinit server is already listening on ${socketPath}`);
}

/** Whether a server answers on `socketPath`: "live", "stale" (file without listener) or "absent". */
function probe(socketPath: string): Promise<"live" | "stale" | "absent"> {
  // node:net only when a socket file is already there: loading it costs a server start ~3 ms.
  const { createConnection } = require("node:net") as typeof import("node:net");
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    const timer = setTimeout(() => settle("live"), PROBE_TIMEOUT_MS);
    function settle(outcome: "live" | "stale" | "absent" | Error) {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
    socket.once("connect", () => settle("live"));
    socket.once("error", (err) => {
      const code = errnoCode(err);
      if (code === "ECONNREFUSED") settle("stale");
      else if (code === "ENOENT") settle("absent");
      // EAGAIN: the listener's backlog is full, so someone is listening.
      else if (code === "EAGAIN") settle("live");
      else settle(new ZinitError("refused", `cannot check the existing socket ${socketPath}: ${code ?? err.message}`));
    });
  });
}

/**
 * Makes `socketPath` ready to bind: its directory exists and a stale socket
 * file is gone. Refuses (code `refused`) when a live server answers there or
 * the path holds something that is not a socket.
 */
export async function claimSocketPath(socketPath: string): Promise<void> {
  let isSocket = false;
  let exists = true;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw new ZinitError("refused", `cannot inspect ${socketPath}: ${errnoCode(err) ?? err}`);
    exists = false;
  }
  if (exists) {
    if (!isSocket) throw new ZinitError("refused", `${socketPath} exists and is not a socket; not replacing it`);
    const state = await probe(socketPath);
    if (state === "live") throw alreadyServed(socketPath);
    if (state === "stale") {
      try {
        unlinkSync(socketPath);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") throw err;
      }
    }
  }
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
}

/** The bound socket file: removes it on release, if it is still the one bound. */
export interface SocketFile {
  /** Removes the file unless another server has bound the path since; idempotent. */
  release(): void;
}

/**
 * Runs `bind` (which must create the socket file synchronously) with a umask
 * that makes the file mode 0600, and restores the umask whatever happens. A
 * failure to bind becomes a ZinitError naming the path.
 */
export function bindPrivate<T>(socketPath: string, bind: () => T): { value: T; file: SocketFile } {
  let value: T;
  const oldUmask = process.umask(0o177);
  try {
    value = bind();
  } catch (err) {
    const code = errnoCode(err);
    if (code === "EADDRINUSE") throw alreadyServed(socketPath);
    throw new ZinitError("failed", `cannot listen on ${socketPath}: ${code ?? (err as Error).message}`);
  } finally {
    process.umask(oldUmask);
  }
  // Remembered so release() never removes a socket file that someone else bound since.
  const inode = statSync(socketPath).ino;
  const file: SocketFile = {
    release() {
      try {
        if (statSync(socketPath).ino === inode) unlinkSync(socketPath);
      } catch {
        // already gone (the listener's stop() may remove it)
      }
    },
  };
  return { value, file };
}
