/**
 * The byte stream under the socket client: a unix-socket connection that delivers
 * chunks and tells when it closed, nothing more. Under Bun it is Bun's own socket;
 * elsewhere (Node) it is `node:net`. Loading `node:net` costs Bun about 3 ms of
 * start-up (its stream machinery), a third of what a whole `zinit status` may take,
 * so the CLI never loads it.
 */

export interface WireHandlers {
  data(chunk: Uint8Array): void;
  /** the connection is gone, whichever side ended it; called once */
  close(): void;
}

export interface Wire {
  /** queues text; what the kernel does not take now goes out when it can */
  write(text: string): void;
  /** ends our side once everything queued is out; `close` follows when the peer hangs up too */
  end(): void;
  /** drops the connection at once */
  destroy(): void;
  /** stops (and restarts) reading: back-pressure for a slow consumer */
  pause(): void;
  resume(): void;
  readonly closed: boolean;
}

/** Connects; rejects with the system error (its `code` says why: ENOENT, ECONNREFUSED, EACCES...). */
export function connectWire(path: string, handlers: WireHandlers): Promise<Wire> {
  return typeof Bun === "undefined" ? connectNode(path, handlers) : connectBun(path, handlers);
}

function connectBun(path: string, handlers: WireHandlers): Promise<Wire> {
  const encoder = new TextEncoder();
  let pending: Uint8Array | null = null;
  let ending = false;
  let closed = false;
  let socket: Bun.Socket<undefined> | null = null;
  const gone = (): void => {
    if (closed) return;
    closed = true;
    handlers.close();
  };
  const flush = (): void => {
    if (socket === null || pending === null) return;
    const n = socket.write(pending);
    pending = n >= pending.length ? null : pending.subarray(Math.max(0, n));
    if (pending === null && ending) socket.end();
  };
  return Bun.connect({
    unix: path,
    socket: {
      data: (_s, chunk) => handlers.data(chunk),
      drain: () => flush(),
      close: gone,
      error: gone,
      end: (s) => void s.end(),
    },
  }).then((s) => {
    socket = s;
    return {
      write(text) {
        if (closed) return;
        const bytes = encoder.encode(text);
        if (pending !== null) {
          const joined = new Uint8Array(pending.length + bytes.length);
          joined.set(pending);
          joined.set(bytes, pending.length);
          pending = joined;
        } else pending = bytes;
        flush();
      },
      end() {
        if (closed || ending) return;
        ending = true;
        if (pending === null) s.end();
      },
      destroy() {
        s.terminate();
        gone();
      },
      pause: () => s.pause(),
      resume: () => s.resume(),
      get closed() {
        return closed;
      },
    };
  });
}

async function connectNode(path: string, handlers: WireHandlers): Promise<Wire> {
  const { createConnection } = await import("node:net");
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    let closed = false;
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      socket.on("data", (chunk: Uint8Array) => handlers.data(chunk));
      socket.on("error", () => {}); // reported through "close"; an unhandled "error" would crash the host
      socket.on("close", () => {
        closed = true;
        handlers.close();
      });
      resolve({
        write: (text) => void socket.write(text),
        end: () => void socket.end(() => socket.destroy()),
        destroy: () => void socket.destroy(),
        pause: () => void socket.pause(),
        resume: () => void socket.resume(),
        get closed() {
          return closed || socket.destroyed;
        },
      });
    });
  });
}
