/**
 * The typed client of the zinit socket. The same code runs under Bun and Node
 * (wire.ts picks the socket implementation).
 *
 * Model: one connection carries calls, matched to answers by id, so any number
 * may be in flight. Streams (`events()`, `logs()`) each open a connection of
 * their own, so notifications never interleave with the answers of other calls,
 * and ending the stream is simply closing that connection.
 */
import { errorFromWire, ZinitError } from "./errors.ts";
import { defaultPaths } from "./paths.ts";
import { LineDecoder } from "./protocol/framing.ts";
import { parseMessage, request } from "./protocol/jsonrpc.ts";
import { connectWire, type Wire, type WireHandlers } from "./wire.ts";
import type {
  GraphResult,
  LogLine,
  MethodName,
  Methods,
  ReloadResult,
  ServiceStatusResult,
  ServiceSummary,
  StateEvent,
  SystemInfo,
} from "./protocol/types.ts";

// The server bounds requests at 1 MiB, but an answer (a long log backlog, a big
// list) may legitimately be larger; this only guards against a runaway peer.
const MAX_RESPONSE_LINE_BYTES = 256 * 1024 * 1024;
// A stream whose consumer lags stops reading the socket past this many queued
// notifications, so the server's own output bound applies instead of our memory.
const STREAM_HIGH_WATER = 1024;
const STREAM_LOW_WATER = 256;

/** Options of {@link ZinitClient.logs}. */
export interface LogsOptions {
  /** How many buffered lines to return first (newest last); all when absent. */
  lines?: number;
  /** Keep the stream open and yield new lines as they are printed. */
  follow?: boolean;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: ZinitError) => void;
}

function errnoCode(err: unknown): string {
  if (typeof err === "object" && err !== null && "code" in err) return String((err as { code: unknown }).code);
  return err instanceof Error ? err.message : String(err);
}

/**
 * A connection to a zinit server.
 *
 * ```ts
 * const zinit = await ZinitClient.connect();
 * for (const s of await zinit.list()) console.log(s.name, s.state);
 * await zinit.close();
 * ```
 */
export class ZinitClient {
  /** The socket this client talks to. */
  readonly socketPath: string;
  #socket: Wire;
  #decoder = new LineDecoder({ maxLineBytes: MAX_RESPONSE_LINE_BYTES });
  #pending = new Map<number, PendingCall>();
  #nextId = 1;
  #closed = false;
  #closing: Promise<void> | null = null;
  #onNotification: ((method: string, params: unknown) => void) | null = null;
  #onLost: ((error: ZinitError) => void) | null = null;

  #closeWaiters: (() => void)[] = [];

  private constructor(socketPath: string, socket: Wire) {
    this.socketPath = socketPath;
    this.#socket = socket;
  }

  /**
   * Connects to the server at `socketPath` (default: `ZINIT_SOCKET`, else the
   * platform default). Rejects with a ZinitError of code `unreachable` whose
   * message names the socket and the reason (ENOENT, ECONNREFUSED, EACCES...).
   */
  static connect(socketPath: string = defaultPaths(process.env, process.platform).socket): Promise<ZinitClient> {
    // Bytes may arrive before the client exists: the handlers find it through `client`.
    let client: ZinitClient | null = null;
    const early: Uint8Array[] = [];
    let closedEarly = false;
    const handlers: WireHandlers = {
      data: (chunk) => (client ? client.#received(chunk) : early.push(chunk)),
      close: () => {
        if (client) client.#wireClosed();
        else closedEarly = true;
      },
    };
    return connectWire(socketPath, handlers).then(
      (wire) => {
        const c = new ZinitClient(socketPath, wire);
        client = c;
        for (const chunk of early) c.#received(chunk);
        if (closedEarly) c.#wireClosed();
        return c;
      },
      (err) => {
        throw new ZinitError("unreachable", `cannot reach the zinit server at ${socketPath}: ${errnoCode(err)}`);
      },
    );
  }

  /** True once the connection is closed, by either side. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Calls any protocol method. An error answer rejects with a ZinitError whose
   * code is the name the server put in `error.data.name` (or, from a server
   * that sends none, the name of the JSON-RPC error number: `not_found` for
   * -32000...); a lost connection rejects every call in flight with `unreachable`.
   */
  call<M extends MethodName>(method: M, params?: Methods[M]["params"]): Promise<Methods[M]["result"]> {
    if (this.#closed) {
      return Promise.reject(
        new ZinitError("unreachable", `connection to the zinit server at ${this.socketPath} is closed`),
      );
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      this.#socket.write(`${JSON.stringify(request(id, method, params))}\n`);
    });
  }

  /** Every service and target, summarised. */
  list(): Promise<ServiceSummary[]> {
    return this.call("service.list");
  }

  /** The full status of one service or target; rejects with `not_found` if unknown. */
  status(name: string): Promise<ServiceStatusResult> {
    return this.call("service.status", { name });
  }

  /** Asks the server to start a service (and what it requires); does not wait for it to run. */
  start(name: string): Promise<null> {
    return this.call("service.start", { name });
  }

  /** Asks the server to stop a service (and what requires it). */
  stop(name: string): Promise<null> {
    return this.call("service.stop", { name });
  }

  /** Asks the server to stop then start a service. */
  restart(name: string): Promise<null> {
    return this.call("service.restart", { name });
  }

  /** Sends `signal` (a name with or without "SIG", or a number; default SIGTERM) to a service's process group. */
  kill(name: string, signal?: string | number): Promise<null> {
    return this.call("service.kill", signal === undefined ? { name } : { name, signal });
  }

  /** Writes NAME.toml from `configToml` and loads it; rejects with `already_exists` or `invalid_config`. */
  create(name: string, configToml: string): Promise<null> {
    return this.call("service.create", { name, config: configToml });
  }

  /** Stops a service, unloads it and removes its file. */
  delete(name: string): Promise<null> {
    return this.call("service.delete", { name });
  }

  /** Starts every service (system class skipped); resolves to the names affected. */
  startAll(): Promise<string[]> {
    return this.call("service.start_all");
  }

  /** Stops every service (system class skipped); resolves to the names affected. */
  stopAll(): Promise<string[]> {
    return this.call("service.stop_all");
  }

  /** Deletes every service (system class skipped); resolves to the names affected. */
  deleteAll(): Promise<string[]> {
    return this.call("service.delete_all");
  }

  /** The dependency graph, or the part of it reachable from `name`. */
  graph(name?: string): Promise<GraphResult> {
    return this.call("graph.get", name === undefined ? {} : { name });
  }

  /** Re-reads the config directory; resolves to what was added, removed and changed. */
  reload(): Promise<ReloadResult> {
    return this.call("system.reload");
  }

  /** Version, mode, pid, uptime and paths of the server. */
  info(): Promise<SystemInfo> {
    return this.call("system.info");
  }

  /** Ordered shutdown of every service, then the server exits. */
  shutdown(): Promise<null> {
    return this.call("system.shutdown");
  }

  /** Ordered shutdown, then reboot (VM mode). */
  reboot(): Promise<null> {
    return this.call("system.reboot");
  }

  /** Ordered shutdown, then power off (VM mode). */
  poweroff(): Promise<null> {
    return this.call("system.poweroff");
  }

  /** The OpenRPC document of the server's API. */
  discover(): Promise<Record<string, unknown>> {
    return this.call("rpc.discover");
  }

  /**
   * Every state change, as it happens, on a connection of its own. Leaving the
   * `for await` loop closes that connection; losing it throws `unreachable`.
   *
   * ```ts
   * for await (const e of zinit.events()) console.log(e.name, e.from, "->", e.to);
   * ```
   */
  events(): AsyncIterableIterator<StateEvent> {
    return this.#stream<StateEvent>("event", true, async (client) => {
      await client.call("events.subscribe");
      return [];
    });
  }

  /**
   * The buffered output of one service (all when `name` is absent), oldest
   * first; with `follow`, then every new line until the loop is left. Runs on a
   * connection of its own.
   */
  logs(name?: string, opts: LogsOptions = {}): AsyncIterableIterator<LogLine> {
    const params: Methods["service.logs"]["params"] = {};
    if (name !== undefined) params.name = name;
    if (opts.lines !== undefined) params.lines = opts.lines;
    if (opts.follow !== undefined) params.follow = opts.follow;
    return this.#stream<LogLine>("log", opts.follow === true, (client) => client.call("service.logs", params));
  }

  /** Closes the connection; calls still in flight reject with `unreachable`. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (this.#closed || this.#socket.closed) {
        this.#lost(`connection to the zinit server at ${this.socketPath} closed`);
        resolve();
        return;
      }
      this.#closeWaiters.push(resolve);
      // end() first so requests written just before (shutdown()...) still leave.
      this.#socket.end();
    });
    return this.#closing;
  }

  #wireClosed(): void {
    this.#lost(`connection to the zinit server at ${this.socketPath} closed`);
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
  }

  #received(chunk: Uint8Array): void {
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === "overflow") {
        this.#socket.destroy();
        this.#lost(`the zinit server at ${this.socketPath} sent a line over ${MAX_RESPONSE_LINE_BYTES} bytes`);
        return;
      }
      if (event.line.trim() === "") continue;
      const parsed = parseMessage(event.line);
      if (parsed.kind === "response") {
        const { id } = parsed.message;
        const call = typeof id === "number" ? this.#pending.get(id) : undefined;
        if (!call) continue;
        this.#pending.delete(id as number);
        if ("error" in parsed.message) call.reject(errorFromWire(parsed.message.error));
        else call.resolve(parsed.message.result);
      } else if (parsed.kind === "invalid" && typeof parsed.id === "number") {
        // An error answer this client cannot parse still settles its call.
        const call = this.#pending.get(parsed.id);
        if (!call) continue;
        this.#pending.delete(parsed.id);
        call.reject(new ZinitError("internal", `malformed answer to ${call.method}: ${parsed.error.message}`));
      } else if (parsed.kind === "notification") {
        this.#onNotification?.(parsed.message.method, parsed.message.params);
      }
    }
  }

  #lost(message: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new ZinitError("unreachable", message);
    const calls = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of calls) call.reject(error);
    this.#onLost?.(error);
  }

  /**
   * A stream of `notificationMethod` params on a new connection: first what
   * `begin` returns, then (if `follow`) the notifications, queued while the
   * consumer is busy. Opened lazily, on the first `next()`.
   */
  #stream<T>(
    notificationMethod: string,
    follow: boolean,
    begin: (client: ZinitClient) => Promise<T[]>,
  ): AsyncIterableIterator<T> {
    const socketPath = this.socketPath;
    let client: ZinitClient | null = null;
    let opening: Promise<void> | null = null;
    let head: T[] = [];
    const queue: T[] = [];
    let paused = false;
    let finished = false;
    let failure: ZinitError | null = null;
    let waiters: (() => void)[] = [];

    const notifyWaiter = () => {
      const ready = waiters;
      waiters = [];
      for (const w of ready) w();
    };
    const finish = async () => {
      finished = true;
      notifyWaiter();
      if (client) await client.close();
    };
    const open = async () => {
      const c = await ZinitClient.connect(socketPath);
      client = c;
      if (finished) {
        await c.close();
        return;
      }
      c.#onNotification = (method, params) => {
        if (!follow || method !== notificationMethod) return;
        queue.push(params as T);
        if (!paused && queue.length >= STREAM_HIGH_WATER) {
          paused = true;
          c.#socket.pause();
        }
        notifyWaiter();
      };
      c.#onLost = (error) => {
        if (!finished) failure = error;
        notifyWaiter();
      };
      head = await begin(c);
      if (!follow) void c.close();
    };

    const iterator: AsyncIterableIterator<T> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next(): Promise<IteratorResult<T>> {
        opening ??= open();
        try {
          await opening;
        } catch (err) {
          await finish();
          throw err;
        }
        for (;;) {
          if (finished) return { done: true, value: undefined };
          if (head.length > 0) return { done: false, value: head.shift()! };
          if (queue.length > 0) {
            const value = queue.shift()!;
            if (paused && queue.length <= STREAM_LOW_WATER) {
              paused = false;
              if (client) client.#socket.resume();
            }
            return { done: false, value };
          }
          if (!follow) {
            await finish();
            return { done: true, value: undefined };
          }
          if (failure) {
            const error = failure;
            await finish();
            throw error;
          }
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      },
      async return(): Promise<IteratorResult<T>> {
        await finish();
        return { done: true, value: undefined };
      },
      async throw(err?: unknown): Promise<IteratorResult<T>> {
        await finish();
        throw err;
      },
    };
    return iterator;
  }
}
