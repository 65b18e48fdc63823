/**
 * What every command gets from the entry: the global flags, the colour decision,
 * the clock, and where to write. Commands never look at process.* themselves, so
 * the entry decides defaults once (consola's habit).
 */
import type { CommandContext } from "citty";
import type { ZinitClient } from "../sdk/client.ts";
import { resolvePaths } from "../sdk/paths.ts";

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

export function processIo(): CliIo {
  endQuietlyOnClosedPipe();
  return {
    stdout: (text) => writeTo(process.stdout, text),
    stderr: (text) => writeTo(process.stderr, text),
    isTTY: process.stdout.isTTY === true,
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
function endQuietlyOnClosedPipe(): void {
  if (pipeGuardInstalled) return;
  pipeGuardInstalled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", endIfReaderGone);
  }
}
let pipeGuardInstalled = false;

function endIfReaderGone(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
  throw error;
}

/** Bun reports EPIPE either from write() itself or later as an "error" event. */
function writeTo(stream: NodeJS.WriteStream, text: string): void {
  try {
    stream.write(text);
  } catch (error) {
    endIfReaderGone(error);
  }
}

/** The CliContext the entry passed to citty as `data`. */
export function cli(c: Pick<CommandContext, "data">): CliContext {
  return c.data as CliContext;
}

/** The socket the client will try: --socket, else ZINIT_SOCKET, else the platform default. */
export function socketPath(ctx: CliContext): string {
  return resolvePaths({ socket: ctx.socket }, ctx.env, process.platform).socket;
}

/** Connects, runs `fn`, and always closes the connection. */
export async function withClient<T>(ctx: CliContext, fn: (client: ZinitClient) => Promise<T>): Promise<T> {
  const { ZinitClient } = await import("../sdk/client.ts");
  const client = await ZinitClient.connect(socketPath(ctx));
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
