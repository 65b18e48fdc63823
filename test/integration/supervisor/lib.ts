/**
 * Helpers shared by the supervisor scenarios: service files as TOML text, a raw
 * socket client that records every answer and notification, and /proc scans for
 * process groups, parents and zombies. Everything a test starts is stopped by
 * `withServer`, whatever the test does.
 */
import { createConnection, type Socket } from "node:net";
import { setDefaultTimeout } from "bun:test";
import { rpcError, startServer, waitFor, waitState as waitStateOf, withServer, type TestServer } from "../../helpers/server.ts";

// Waits inside a test are bounded by 5 s each; the test itself gets room for a few
// of them plus the server's stop, so a failure reports the wait, not a bare timeout.
setDefaultTimeout(20_000);

export { rpcError, waitFor, withServer, type TestServer };

export { service, target, type ServiceSpec } from "../../helpers/units.ts";

/** Starts a server (which returns once it answers). */
export const startReady = (files: Record<string, string>): Promise<TestServer> => startServer(files);

export interface Status {
  name: string;
  kind: string;
  state: string;
  reason: string;
  pid: number | null;
  since: string;
  restarts: number;
  exit: { code: number | null; signal: string | null } | null;
}

export function status(s: TestServer, name: string): Promise<Status> {
  return s.rpc("service.status", { name });
}

/** Waits until `name` is in `state` (and, if given, its reason matches). */
export const waitState = waitStateOf<Status>;

// ---------------------------------------------------------------- raw socket client

export interface Message {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: any;
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

/** One connection, every line it receives parsed and kept. */
export class RawConn {
  readonly messages: Message[] = [];
  closed = false;
  private buf = "";
  private nextId = 1000;

  private constructor(readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        if (line.trim() !== "") this.messages.push(JSON.parse(line));
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => (this.closed = true));
  }

  static connect(path: string): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawConn(socket));
      });
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Sends a request and resolves to its answer. */
  async call(method: string, params?: unknown, timeoutMs = 5000): Promise<Message> {
    const id = this.nextId++;
    this.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })}\n`);
    return this.waitMessage(`answer to ${method}`, (m) => m.id === id, timeoutMs);
  }

  waitMessage(what: string, pred: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return waitFor(what, () => this.messages.find(pred), timeoutMs);
  }

  notifications(method: string): any[] {
    return this.messages.filter((m) => m.method === method && m.id === undefined).map((m) => m.params);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface StateEvent {
  name: string;
  from: string;
  to: string;
  at: string;
  reason: string;
  pid?: number | null;
}

/** Subscribes to state events; resolves once the subscription is acknowledged. */
export async function recordEvents(s: TestServer): Promise<{ events: () => StateEvent[]; of: (name: string) => StateEvent[]; close: () => void }> {
  const c = await RawConn.connect(s.socket);
  const ack = await c.call("events.subscribe");
  if (ack.error) throw new Error(`events.subscribe: ${ack.error.message}`);
  const events = () => c.notifications("event") as StateEvent[];
  return { events, of: (name) => events().filter((e) => e.name === name), close: () => c.close() };
}

// ---------------------------------------------------------------- /proc

export { alive, allProcs, groupMembers, procInfo, statusField, zombiesOf, type ProcInfo } from "../../helpers/proc.ts";

/** ms between two ISO timestamps. */
export function msBetween(a: string, b: string): number {
  return Date.parse(b) - Date.parse(a);
}
