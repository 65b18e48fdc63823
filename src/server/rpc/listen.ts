/**
 * The server's end of the socket (SPEC section 10): binds the unix socket with
 * mode 0600, frames newline-delimited JSON-RPC, validates params against the
 * method table and hands each request to its handler.
 *
 * Invariants:
 * - Nothing a client sends or fails to read can throw out of here or grow memory
 *   without bound: a line is capped by the decoder, unread output by
 *   `maxPendingBytes` (the client is then disconnected).
 * - Requests on one connection run concurrently; each answer carries its
 *   request's id, so answers may leave in any order.
 * - Once a connection is closed every later answer or notification for it is
 *   dropped silently: handlers never need to check.
 * - A peer that half-closes (`printf ... | socat`) still gets the answers to the
 *   requests it sent, then the connection ends, subscriptions included.
 */
import { lstatSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname } from "node:path";
import type { Socket, UnixSocketListener } from "bun";
import { ZinitError } from "../../sdk/errors.ts";
import { LineDecoder, MAX_LINE_BYTES } from "../../sdk/protocol/framing.ts";
import {
  failure,
  failureFromError,
  notification,
  parseMessage,
  RPC_ERRORS,
  success,
  type JsonRpcId,
} from "../../sdk/protocol/jsonrpc.ts";
import { isMethodName, validateParams } from "../../sdk/protocol/methods.ts";
import { buildOpenRpcDocument } from "../../sdk/protocol/openrpc.ts";
import type { MethodName, Methods } from "../../sdk/protocol/types.ts";
import { VERSION } from "../../version.ts";

/** What a handler knows of the connection its request came on. */
export interface RpcConnection {
  /** Unique per server, in connection order. */
  readonly id: number;
  /** Queues a JSON-RPC notification; a no-op once the connection is closed. */
  notify(method: string, params: unknown): void;
  /** Runs `fn` once when the connection closes (at once if it already has). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

/** One handler per method; a missing one answers -32601 (except `rpc.discover`). */
export type HandlerTable = {
  [M in MethodName]?: (
    params: Methods[M]["params"],
    conn: RpcConnection,
  ) => Methods[M]["result"] | Promise<Methods[M]["result"]>;
};

/** Options of {@link listenRpc}. */
export interface ListenOptions {
  /** Longest request line; default 1 MiB (SPEC section 10). */
  maxLineBytes?: number;
  /** Unsent output a connection may accumulate before it is dropped; default 8 MiB. */
  maxPendingBytes?: number;
  /** How long a connection dropped for an oversized line waits for its peer to stop sending; default 2000. */
  overflowLingerMs?: number;
  /** Version stamped in the `rpc.discover` document; default the package version. */
  version?: string;
  /** Called when a handler throws something that is not a ZinitError (a bug). */
  onInternalError?: (method: string, error: unknown) => void;
  /** Called when a connection is dropped for misbehaving (oversized line, unread output). */
  onWarning?: (message: string) => void;
}

/** A listening server. */
export interface RpcServer {
  readonly socketPath: string;
  /** Connections currently open. */
  readonly connectionCount: number;
  /** Stops listening, closes every connection and removes the socket file. */
  close(): Promise<void>;
}

const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;
// One write per batch keeps syscalls few without copying a whole backlog per drain.
const WRITE_BATCH_BYTES = 256 * 1024;
const DEFAULT_LINGER_MS = 2000;

interface ServerContext {
  handlers: HandlerTable;
  maxLineBytes: number;
  maxPendingBytes: number;
  lingerMs: number;
  version: string;
  onInternalError: (method: string, error: unknown) => void;
  onWarning: (message: string) => void;
}

interface SocketData {
  conn: Connection | null;
}

class Connection implements RpcConnection {
  readonly id: number;
  #socket: Socket<SocketData>;
  #ctx: ServerContext;
  #decoder: LineDecoder;
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #flushScheduled = false;
  #closed = false;
  // Set when the connection is to end once its output is flushed: input is ignored.
  #ending = false;
  // How to end: "close" once the peer is done sending; "linger" while it may still
  // be writing; "aborted" when already terminated.
  #endMode: "close" | "linger" | "aborted" = "close";
  #lingerTimer: ReturnType<typeof setTimeout> | null = null;
  // The peer sent its FIN: end once the requests already received are answered.
  #peerEnded = false;
  #inFlight = 0;
  #closeFns: (() => void)[] = [];

  constructor(id: number, socket: Socket<SocketData>, ctx: ServerContext) {
    this.id = id;
    this.#socket = socket;
    this.#ctx = ctx;
    this.#decoder = new LineDecoder({ maxLineBytes: ctx.maxLineBytes });
  }

  get closed(): boolean {
    return this.#closed || this.#ending;
  }

  notify(method: string, params: unknown): void {
    this.#send(notification(method, params));
  }

  onClose(fn: () => void): void {
    if (this.#closed) {
      runQuietly(fn);
      return;
    }
    this.#closeFns.push(fn);
  }

  received(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === "overflow") {
        this.#send(
          failure(
            null,
            RPC_ERRORS.invalidRequest,
            `request line over ${this.#ctx.maxLineBytes} bytes; closing the connection`,
          ),
        );
        this.#ctx.onWarning(`connection ${this.id}: request line over ${this.#ctx.maxLineBytes} bytes, closed`);
        this.#endAfterFlush("linger");
        return;
      }
      if (event.line.trim() === "") continue;
      this.#handleLine(event.line);
      if (this.closed) return;
    }
  }

  drained(): void {
    this.#flush();
  }

  /** The peer will send nothing more; a last line without newline still counts. */
  peerEnded(): void {
    if (this.#closed) return;
    if (this.#ending) {
      // Lingering after an oversized line: the peer has stopped writing, so close now.
      if (this.#lingerTimer) this.abort();
      else if (this.#endMode === "linger") this.#endMode = "close";
      return;
    }
    for (const event of this.#decoder.end()) {
      if (event.type === "line" && event.line.trim() !== "") this.#handleLine(event.line);
    }
    this.#peerEnded = true;
    if (this.#inFlight === 0) this.#endAfterFlush("close");
  }

  /** Called from the socket's close callback: the only place `#closed` is set. */
  closedBySocket(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    this.#out = [];
    this.#outBytes = 0;
    const fns = this.#closeFns;
    this.#closeFns = [];
    for (const fn of fns) runQuietly(fn);
  }

  abort(): void {
    if (this.#closed || this.#endMode === "aborted") return;
    this.#ending = true;
    this.#endMode = "aborted";
    this.#out = [];
    this.#outBytes = 0;
    this.#socket.terminate();
  }

  #handleLine(line: string): void {
    const parsed = parseMessage(line);
    switch (parsed.kind) {
      case "parse_error":
        this.#send(failure(null, parsed.error.code, parsed.error.message));
        return;
      case "invalid":
        this.#send(failure(parsed.id, parsed.error.code, parsed.error.message));
        return;
      case "response":
        return; // the server sends no requests, so there is nothing to match
      case "request":
        void this.#dispatch(parsed.message.method, parsed.message.params, true, parsed.message.id);
        return;
      case "notification":
        void this.#dispatch(parsed.message.method, parsed.message.params, false, null);
        return;
    }
  }

  async #dispatch(method: string, rawParams: unknown, answer: boolean, id: JsonRpcId): Promise<void> {
    this.#inFlight++;
    try {
      await this.#run(method, rawParams, answer, id);
    } finally {
      this.#inFlight--;
      if (this.#peerEnded && this.#inFlight === 0) this.#endAfterFlush("close");
    }
  }

  async #run(method: string, rawParams: unknown, answer: boolean, id: JsonRpcId): Promise<void> {
    const reply = (message: object) => {
      if (answer) this.#send(message);
    };
    try {
      if (!isMethodName(method)) {
        reply(failure(id, RPC_ERRORS.methodNotFound, `method not found: ${method}`));
        return;
      }
      const handler = this.#handler(method);
      if (!handler) {
        reply(failure(id, RPC_ERRORS.methodNotFound, `method not implemented by this server: ${method}`));
        return;
      }
      const check = validateParams(method, rawParams);
      if (!check.ok) {
        reply(failure(id, RPC_ERRORS.invalidParams, check.message));
        return;
      }
      const result = await handler(check.value as never, this);
      reply(success(id, result ?? null));
    } catch (err) {
      if (err instanceof ZinitError) {
        reply(failureFromError(id, err));
      } else {
        this.#ctx.onInternalError(method, err);
        reply(failure(id, RPC_ERRORS.internalError, err instanceof Error ? err.message : String(err)));
      }
    }
  }

  #handler(method: MethodName): ((params: unknown, conn: RpcConnection) => unknown) | undefined {
    const handler = this.#ctx.handlers[method] as ((params: unknown, conn: RpcConnection) => unknown) | undefined;
    if (handler) return handler;
    if (method === "rpc.discover") return () => buildOpenRpcDocument(this.#ctx.version);
    return undefined;
  }

  #send(message: object): void {
    if (this.closed) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      // A notification that cannot be encoded is dropped; an answer becomes an error.
      if (!("id" in message)) return;
      const id = (message as { id: JsonRpcId }).id;
      const reason = err instanceof Error ? err.message : String(err);
      text = JSON.stringify(failure(id, RPC_ERRORS.internalError, `cannot encode the response: ${reason}`));
    }
    const bytes = Buffer.from(`${text}\n`);
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (this.#outBytes > this.#ctx.maxPendingBytes) {
      this.#ctx.onWarning(
        `connection ${this.id}: more than ${this.#ctx.maxPendingBytes} bytes of unread output, disconnected`,
      );
      this.abort();
      return;
    }
    // Batching the writes of one turn makes a pipelined burst cost one syscall, not one per answer.
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    while (this.#out.length > 0 && !this.#closed) {
      const batch = this.#takeBatch();
      const written = this.#socket.write(batch);
      if (written < 0) return; // closed under us; the close callback cleans up
      this.#outBytes -= written;
      if (written < batch.length) {
        this.#out.unshift(batch.subarray(written));
        return; // the socket calls drain when it can take more
      }
    }
    if (this.#ending && !this.#closed && this.#out.length === 0) this.#finish();
  }

  #takeBatch(): Uint8Array {
    const first = this.#out.shift()!;
    if (first.length >= WRITE_BATCH_BYTES || this.#out.length === 0) return first;
    let size = first.length;
    let count = 0;
    while (count < this.#out.length && size + this.#out[count]!.length <= WRITE_BATCH_BYTES) {
      size += this.#out[count]!.length;
      count++;
    }
    if (count === 0) return first;
    const batch = new Uint8Array(size);
    batch.set(first, 0);
    let offset = first.length;
    for (const part of this.#out.splice(0, count)) {
      batch.set(part, offset);
      offset += part.length;
    }
    return batch;
  }

  #endAfterFlush(mode: "close" | "linger"): void {
    if (this.closed) return;
    this.#flush(); // what is queued (an error line, the last answers) goes out before the end
    this.#ending = true;
    this.#endMode = mode;
    if (this.#out.length === 0) this.#finish();
  }

  #finish(): void {
    if (this.#endMode === "aborted") return;
    if (this.#endMode === "close") {
      this.#socket.end();
      return;
    }
    if (this.#lingerTimer) return;
    // Closing while the peer is still writing its oversized line would make its
    // next write fail (EPIPE) and many clients then drop the error unread. So
    // send EOF, discard what still arrives, and close when the peer does, or
    // after a grace period if it never does.
    this.#socket.shutdown();
    this.#lingerTimer = setTimeout(() => this.abort(), this.#ctx.lingerMs);
  }
}

function runQuietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // a close callback's failure must not stop the others nor reach the socket layer
  }
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

/** Whether a server answers on `socketPath`: "live", "stale" (file without listener) or "absent". */
function probe(socketPath: string, timeoutMs = 1000): Promise<"live" | "stale" | "absent"> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path: socketPath });
    const timer = setTimeout(() => settle("live"), timeoutMs);
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

async function clearStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return;
    throw new ZinitError("refused", `cannot inspect ${socketPath}: ${errnoCode(err) ?? err}`);
  }
  if (!isSocket) throw new ZinitError("refused", `${socketPath} exists and is not a socket; not replacing it`);
  const state = await probe(socketPath);
  if (state === "live") {
    throw new ZinitError("refused", `another zinit server is already listening on ${socketPath}`);
  }
  if (state === "stale") {
    try {
      unlinkSync(socketPath);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
  }
}

/**
 * Listens on `socketPath` and serves `handlers` until `close()`. Refuses (code
 * `refused`) to take over a socket another server answers on; replaces a stale one.
 */
export async function listenRpc(
  socketPath: string,
  handlers: HandlerTable,
  opts: ListenOptions = {},
): Promise<RpcServer> {
  const ctx: ServerContext = {
    handlers,
    maxLineBytes: opts.maxLineBytes ?? MAX_LINE_BYTES,
    maxPendingBytes: opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES,
    lingerMs: opts.overflowLingerMs ?? DEFAULT_LINGER_MS,
    version: opts.version ?? VERSION,
    onInternalError: opts.onInternalError ?? (() => {}),
    onWarning: opts.onWarning ?? (() => {}),
  };
  await clearStaleSocket(socketPath);
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });

  const connections = new Set<Connection>();
  let nextId = 1;
  let listener: UnixSocketListener<SocketData>;
  // Bun.listen has no mode option; the bind is synchronous, so a umask around it
  // creates the file as 0600 with no window where it is wider.
  const oldUmask = process.umask(0o177);
  try {
    listener = Bun.listen<SocketData>({
      unix: socketPath,
      // Without it Bun closes at the peer's FIN and the answers still being computed are lost.
      allowHalfOpen: true,
      socket: {
        open(socket) {
          const conn = new Connection(nextId++, socket, ctx);
          socket.data = { conn };
          connections.add(conn);
        },
        data(socket, chunk) {
          socket.data?.conn?.received(chunk);
        },
        drain(socket) {
          socket.data?.conn?.drained();
        },
        end(socket) {
          socket.data?.conn?.peerEnded();
        },
        close(socket) {
          const conn = socket.data?.conn;
          if (!conn) return;
          connections.delete(conn);
          conn.closedBySocket();
        },
        error(socket) {
          // Only reached if one of the callbacks above threw: drop that connection, keep serving.
          socket.data?.conn?.abort();
        },
      },
    });
  } catch (err) {
    const code = errnoCode(err);
    if (code === "EADDRINUSE") {
      throw new ZinitError("refused", `another zinit server is already listening on ${socketPath}`);
    }
    throw new ZinitError("failed", `cannot listen on ${socketPath}: ${code ?? (err as Error).message}`);
  } finally {
    process.umask(oldUmask);
  }
  // Remembered so close() never removes a socket file that someone else bound since.
  const inode = statSync(socketPath).ino;
  let closing: Promise<void> | null = null;

  return {
    socketPath,
    get connectionCount() {
      return connections.size;
    },
    close() {
      closing ??= (async () => {
        for (const conn of connections) conn.abort();
        listener.stop(true);
        try {
          if (statSync(socketPath).ino === inode) unlinkSync(socketPath);
        } catch {
          // already removed by stop()
        }
        // Let the sockets' close callbacks run so onClose hooks have fired on return.
        for (let i = 0; i < 50 && connections.size > 0; i++) await Bun.sleep(1);
      })();
      return closing;
    },
  };
}
