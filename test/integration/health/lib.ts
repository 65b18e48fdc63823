/**
 * Helpers of the health and reload scenarios: a server that is always stopped,
 * status polling with the last seen state in the error, a state-event recorder on
 * a raw socket, free loopback ports, and /proc lookups of a service's process.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { setDefaultTimeout } from "bun:test";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { rpcError, waitFor, waitState as waitStateOf, withServer, type TestServer } from "../../helpers/server.ts";
import { tomlSection } from "../../helpers/units.ts";

// Each wait inside a test is bounded by a few seconds; the test has room for
// several of them plus the server's stop, so a failure names the wait.
setDefaultTimeout(25_000);

export { rpcError, waitFor, withServer, type TestServer, ZinitClient };

export interface Health {
  status: "passing" | "failing" | "unknown";
  checked_at: string | null;
  error: string | null;
}

export interface Status {
  name: string;
  state: string;
  reason: string;
  pid: number | null;
  restarts: number;
  health: Health | null;
  config: any;
  dependencies: { requires: string[]; after: string[]; wants: string[]; conflicts: string[] };
  exit: { code: number | null; signal: string | null } | null;
}

export function status(s: TestServer, name: string): Promise<Status> {
  return s.rpc("service.status", { name });
}

/** Waits until `name` is in `state` (and its reason matches, if given). */
export const waitState = waitStateOf<Status>;

export interface StateEvent {
  name: string;
  from: string;
  to: string;
  at: string;
  reason: string;
}

/** Subscribes to state events on a connection of its own; resolves once subscribed. */
export async function recordEvents(s: TestServer): Promise<{ all: () => StateEvent[]; of: (name: string) => StateEvent[]; close: () => void }> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const c = createConnection({ path: s.socket });
    c.once("error", reject);
    c.once("connect", () => resolve(c));
  });
  socket.on("error", () => {});
  socket.setEncoding("utf8");
  const events: StateEvent[] = [];
  let buf = "";
  let acked = false;
  socket.on("data", (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === "") continue;
      const m = JSON.parse(line);
      if (m.id === 1) acked = true;
      else if (m.method === "event") events.push(m.params);
    }
  });
  socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "events.subscribe" })}\n`);
  await waitFor("events.subscribe answer", () => acked, 3000);
  return {
    all: () => [...events],
    of: (name: string) => events.filter((e) => e.name === name),
    close: () => socket.destroy(),
  };
}

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP listener on 127.0.0.1:port that accepts and immediately closes connections; counts them. */
export class Listener {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  accepted = 0;
  constructor(readonly port: number) {}

  async open(): Promise<void> {
    const srv = createServer((sock) => {
      this.accepted++;
      this.sockets.add(sock);
      sock.on("error", () => {});
      sock.on("close", () => this.sockets.delete(sock));
      sock.end();
    });
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = srv;
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = null;
    if (!srv) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** Health section as TOML. */
export function healthToml(h: Record<string, string | number>): string {
  return tomlSection("health", h);
}

export {
  alive as procAlive,
  cwdOf as procCwd,
  environ as procEnv,
  gidOf as procGid,
  pidsWithArg,
  uidOf as procUid,
} from "../../helpers/proc.ts";
