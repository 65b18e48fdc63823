/**
 * What every command gets from the entry: the global flags, the colour decision,
 * the clock, and where to write. Commands never look at process.* themselves, so
 * the entry decides defaults once (consola's habit).
 */
import type { CommandContext } from "citty";
import type { ZinitClient } from "../sdk/client.ts";
import { ZinitError } from "../sdk/errors.ts";
import { socketCandidates as pathCandidates } from "../sdk/paths.ts";
import { stdoutIsTTY, writeOut } from "./stdio.ts";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  now(): number;
}

export interface CliContext {
  socket?: string;
  configDir?: string;
  json: boolean;
  color: boolean;
  env: Record<string, string | undefined>;
  now(): number;
  /** one or more lines to stdout (a newline is added) */
  out(text: string): void;
  /** one or more lines to stderr (a newline is added) */
  err(text: string): void;
  /** set by a command that leaves connections behind it cannot close (event streams) */
  holdsStreams: boolean;
}

/** Plain writes to fd 1 and 2, not process.stdout: see stdio.ts for why. */
export function processIo(): CliIo {
  return {
    stdout: (text) => writeOut(1, text, endIfReaderGone),
    stderr: (text) => writeOut(2, text, endIfReaderGone),
    isTTY: stdoutIsTTY(),
    env: process.env,
    now: () => Date.now(),
  };
}

/**
 * `zinit list | head -1`: once the reader is gone nobody can see more output, so the
 * CLI ends at once with status 0 like a tool killed by SIGPIPE would end silently,
 * instead of Bun's uncaught EPIPE report. Status 0 rather than 141 keeps
 * `set -o pipefail` scripts that only wanted the first lines working.
 */
function endIfReaderGone(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
  throw error;
}

/** The CliContext the entry passed to citty as `data`. */
export function cli(c: Pick<CommandContext, "data">): CliContext {
  return c.data as CliContext;
}

/** The user id the defaults are picked for (0 where there is no such thing). */
export function currentUid(): number {
  return process.getuid?.() ?? 0;
}

/**
 * The sockets the client will try, in order: --socket, else ZINIT_SOCKET, else
 * the platform default; for a user other than root on Linux, their own server's
 * socket and then the machine's.
 */
export function socketCandidates(ctx: CliContext): string[] {
  return candidatesFor(ctx.socket, ctx.env);
}

export function candidatesFor(socket: string | undefined, env: Record<string, string | undefined>): string[] {
  return pathCandidates({ socket }, env, process.platform, currentUid());
}

/** The socket named in messages: the first one tried. */
export function socketPath(ctx: CliContext): string {
  return socketCandidates(ctx)[0]!;
}

/**
 * Connects to the first of the candidate sockets a server answers on. A user's own
 * socket is only taken when the file is theirs: in /tmp anyone could have put one
 * there. Fails with `unreachable` naming every socket tried and why.
 */
export async function connectClient(ctx: CliContext): Promise<ZinitClient> {
  return connectFirst(socketCandidates(ctx));
}

export async function connectFirst(sockets: readonly string[]): Promise<ZinitClient> {
  const { ZinitClient } = await import("../sdk/client.ts");
  if (sockets.length === 1) return ZinitClient.connect(sockets[0]);
  const failures: string[] = [];
  for (const [i, socket] of sockets.entries()) {
    // The last candidate is the machine's socket; only the user's own are checked.
    const notMine = i < sockets.length - 1 ? whyNotMine(socket) : undefined;
    if (notMine) {
      failures.push(`${socket}: ${notMine}`);
      continue;
    }
    try {
      return await ZinitClient.connect(socket);
    } catch (error) {
      failures.push((error as Error).message.replace(/^cannot reach the zinit server at /, ""));
    }
  }
  throw new ZinitError("unreachable", `cannot reach a zinit server at ${failures.join(" or at ")}`);
}

/** Why `path` is not a socket of this user's (ENOENT, not a socket, someone else's), or undefined. */
function whyNotMine(path: string): string | undefined {
  // node:fs only here: loading it costs every other CLI call ~1.5 ms of start-up.
  const { lstatSync } = require("node:fs") as typeof import("node:fs");
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "cannot stat";
  }
  if (!st.isSocket()) return "not a socket";
  return st.uid === currentUid() ? undefined : `owned by uid ${st.uid}, not by you`;
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withClient<T>(ctx: CliContext, fn: (client: ZinitClient) => Promise<T>): Promise<T> {
  const client = await connectClient(ctx);
  try {
    return await fn(client);
  } finally {
    await Promise.resolve(client.close()).catch(() => undefined);
  }
}

/** Prints a value as JSON, one document. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}
