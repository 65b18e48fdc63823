/**
 * One client connection: newline-delimited framing in both directions, with
 * the bounds that keep one peer from harming the server or the other clients.
 * What a line means is the dispatcher's business; this module only moves lines.
 *
 * Invariants:
 * - Memory per connection is bounded: an incoming line by the decoder (an
 *   oversized one gets -32600 and the connection ends), unread outgoing text by
 *   `maxPendingBytes` (a peer that stops reading its notifications is dropped).
 * - Requests on one connection run concurrently; each answer carries its
 *   request's id, so answers may leave in any order.
 * - Once a connection is closed every later answer or notification for it is
 *   dropped silently: handlers never need to check.
 * - A peer that half-closes (`printf ... | socat`) still gets the answers to the
 *   requests it sent, then the connection ends, subscriptions included.
 */
import type { Socket } from "bun";
import { LineDecoder } from "../../sdk/protocol/framing.ts";
import { namedFailure, notification } from "../../sdk/protocol/jsonrpc.ts";
import type { Dispatch, InternalErrorReporter, RpcConnection } from "./dispatch.ts";

/** The limits and callbacks every connection of a server shares. */
export interface ConnectionOptions {
  dispatch: Dispatch;
  /** Longest incoming line, in bytes. */
  maxLineBytes: number;
  /** Unsent output a connection may accumulate before it is dropped. */
  maxPendingBytes: number;
  /** How long a connection ended for an oversized line waits for its peer to stop sending. */
  lingerMs: number;
  onInternalError: InternalErrorReporter;
  /** A connection was dropped for misbehaving (oversized line, unread output). */
  onWarning: (message: string) => void;
}

/** The socket state a connection keeps in Bun's per-socket `data`. */
export interface SocketData {
  conn: Connection | null;
}

// One write per batch keeps syscalls few without copying a whole backlog per drain.
const WRITE_BATCH_BYTES = 256 * 1024;

/** The server side of one connection; the listener forwards the socket's callbacks to it. */
export class Connection implements RpcConnection {
  readonly id: number;
  #socket: Socket<SocketData>;
  #opts: ConnectionOptions;
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

  constructor(id: number, socket: Socket<SocketData>, opts: ConnectionOptions) {
    this.id = id;
    this.#socket = socket;
    this.#opts = opts;
    this.#decoder = new LineDecoder({ maxLineBytes: opts.maxLineBytes });
  }

  get closed(): boolean {
    return this.#closed || this.#ending;
  }

  notify(method: string, params: unknown): void {
    if (this.closed) return;
    let text: string;
    try {
      text = JSON.stringify(notification(method, params));
    } catch (err) {
      // Params that cannot be encoded are a bug of whoever notifies; the notification is dropped.
      this.#opts.onInternalError(`${method} notification`, err);
      return;
    }
    this.#send(text);
  }

  onClose(fn: () => void): void {
    if (this.#closed) {
      runQuietly(fn);
      return;
    }
    this.#closeFns.push(fn);
  }

  /** Bytes from the socket. */
  received(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === "overflow") {
        const limit = this.#opts.maxLineBytes;
        const error = namedFailure(null, "invalid_request", `request line over ${limit} bytes; closing the connection`);
        this.#send(JSON.stringify(error));
        this.#opts.onWarning(`connection ${this.id}: request line over ${limit} bytes, closed`);
        this.#endAfterFlush("linger");
        return;
      }
      this.#handleLine(event.line);
      if (this.closed) return;
    }
  }

  /** The socket can take more output. */
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
      if (event.type === "line") this.#handleLine(event.line);
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

  /** Drops the connection at once, unsent output included. */
  abort(): void {
    if (this.#closed || this.#endMode === "aborted") return;
    this.#ending = true;
    this.#endMode = "aborted";
    this.#out = [];
    this.#outBytes = 0;
    this.#socket.terminate();
  }

  #handleLine(line: string): void {
    if (line.trim() === "") return;
    this.#inFlight++;
    void this.#opts.dispatch(line, this).then(
      (answer) => this.#answered(answer),
      // dispatch never rejects; should it ever, the request must still count as done
      () => this.#answered(null),
    );
  }

  #answered(answer: string | null): void {
    this.#inFlight--;
    if (answer !== null) this.#send(answer);
    if (this.#peerEnded && this.#inFlight === 0) this.#endAfterFlush("close");
  }

  #send(text: string): void {
    if (this.closed) return;
    const bytes = Buffer.from(`${text}\n`);
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (this.#outBytes > this.#opts.maxPendingBytes) {
      this.#opts.onWarning(
        `connection ${this.id}: more than ${this.#opts.maxPendingBytes} bytes of unread output, disconnected`,
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
    this.#lingerTimer = setTimeout(() => this.abort(), this.#opts.lingerMs);
  }
}

function runQuietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // a close callback's failure must not stop the others nor reach the socket layer
  }
}
