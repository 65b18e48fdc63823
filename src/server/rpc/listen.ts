/**
 * The server's end of the socket: JSON-RPC 2.0, one JSON object per line, on a
 * unix socket only its owner may connect to. This module wires three parts,
 * each with its own reason to change:
 * - socket-file.ts: the file on disk (mode 0600, stale file replaced, a live
 *   server never displaced, removal on close);
 * - connection.ts: framing and flow control of one connection (line bounds,
 *   pipelining, slow readers, half-closed peers);
 * - dispatch.ts: what a line means (params validated against the method table,
 *   the handler run, every error mapped to an answer, bugs never leaked).
 */
import type { UnixSocketListener } from "bun";
import { createLogger } from "../../logger.ts";
import { MAX_LINE_BYTES } from "../../sdk/protocol/framing.ts";
import { VERSION } from "../../version.ts";
import { Connection, type SocketData } from "./connection.ts";
import { createDispatch, type HandlerTable, type InternalErrorReporter } from "./dispatch.ts";
import { bindPrivate, claimSocketPath } from "./socket-file.ts";

export type { HandlerTable, RpcConnection } from "./dispatch.ts";

/** Options of {@link listenRpc}. */
export interface ListenOptions {
  /** Longest request line; default 1 MiB. */
  maxLineBytes?: number;
  /** Unsent output a connection may accumulate before it is dropped; default 8 MiB. */
  maxPendingBytes?: number;
  /** How long a connection dropped for an oversized line waits for its peer to stop sending; default 2000. */
  overflowLingerMs?: number;
  /** Version stamped in the `rpc.discover` document; default the package version. */
  version?: string;
  /**
   * Called with a bug: a handler threw something that is not a ZinitError, or
   * produced what cannot be encoded. The client only learns that an internal
   * error happened, so this is where the details must go. Default: the
   * server's log (stderr), stack included.
   */
  onInternalError?: InternalErrorReporter;
  /** Called when a connection is dropped for misbehaving (oversized line, unread output). */
  onWarning?: (message: string) => void;
  /** Called with the size of every chunk read from a client (the server's memory policy counts them). */
  onRead?: (bytes: number) => void;
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
const DEFAULT_LINGER_MS = 2000;

function logBug(where: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  createLogger("zinit").error(`rpc: internal error in ${where}: ${detail}`);
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
  const onInternalError = opts.onInternalError ?? logBug;
  const connOpts = {
    dispatch: createDispatch({ handlers, version: opts.version ?? VERSION, onInternalError }),
    maxLineBytes: opts.maxLineBytes ?? MAX_LINE_BYTES,
    maxPendingBytes: opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES,
    lingerMs: opts.overflowLingerMs ?? DEFAULT_LINGER_MS,
    onInternalError,
    onWarning: opts.onWarning ?? (() => {}),
  };
  await claimSocketPath(socketPath);

  const connections = new Set<Connection>();
  const onRead = opts.onRead ?? (() => {});
  let nextId = 1;
  const { value: listener, file } = bindPrivate<UnixSocketListener<SocketData>>(socketPath, () =>
    Bun.listen<SocketData>({
      unix: socketPath,
      // Without it Bun closes at the peer's FIN and the answers still being computed are lost.
      allowHalfOpen: true,
      socket: {
        open(socket) {
          const conn = new Connection(nextId++, socket, connOpts);
          socket.data = { conn };
          connections.add(conn);
        },
        data(socket, chunk) {
          onRead(chunk.length);
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
    }),
  );
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
        file.release();
        // Let the sockets' close callbacks run so onClose hooks have fired on return.
        for (let i = 0; i < 50 && connections.size > 0; i++) await Bun.sleep(1);
      })();
      return closing;
    },
  };
}
