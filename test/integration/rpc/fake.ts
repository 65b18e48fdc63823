/**
 * A fake handler table for the RPC tests: canned answers, a few slow or failing
 * methods, and streams the test drives (`emitEvent`, `emitLog`) or that flood.
 * Plus a raw `node:net` client that speaks lines, for what ZinitClient hides.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { LineDecoder } from "../../../src/sdk/protocol/framing.ts";
import type { LogLine, ServiceStatusResult, ServiceSummary, StateEvent } from "../../../src/sdk/protocol/types.ts";
import type { HandlerTable, RpcConnection } from "../../../src/server/rpc/listen.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "zinit-rpc-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function summary(name: string): ServiceSummary {
  return {
    name,
    kind: "service",
    state: "running",
    reason: "started",
    pid: 100,
    class: "user",
    status: "start",
    since: "2024-01-01T00:00:00.000Z",
    restarts: 0,
    health: null,
  };
}

function status(name: string): ServiceStatusResult {
  return {
    ...summary(name),
    health: null,
    exit: null,
    config: {},
    dependencies: { requires: [], after: [], wants: [], conflicts: [] },
    dependents: [],
    file: `/etc/zinit/services/${name}.toml`,
  };
}

export function logLine(name: string, line: string): LogLine {
  return { name, stream: "stdout", line, at: "2024-01-01T00:00:00.000Z" };
}

export interface Fake {
  handlers: HandlerTable;
  /** every call, in arrival order: method and validated params */
  calls: { method: string; params: unknown }[];
  subscribers: Set<RpcConnection>;
  logFollowers: Set<RpcConnection>;
  /** connections whose onClose fired */
  closedConnections: number[];
  /** handler runs that finished after their connection closed */
  finishedAfterClose: number;
  floodSent: number;
  emitEvent(event: StateEvent): void;
  emitLog(line: LogLine): void;
}

export function makeFake(): Fake {
  const fake: Fake = {
    handlers: {},
    calls: [],
    subscribers: new Set(),
    logFollowers: new Set(),
    closedConnections: [],
    finishedAfterClose: 0,
    floodSent: 0,
    emitEvent(event) {
      for (const conn of fake.subscribers) conn.notify("event", event);
    },
    emitLog(line) {
      for (const conn of fake.logFollowers) conn.notify("log", line);
    },
  };
  const record = (method: string) => (params: unknown) => {
    fake.calls.push({ method, params });
    return null;
  };
  const track = (conn: RpcConnection, set: Set<RpcConnection>) => {
    set.add(conn);
    conn.onClose(() => {
      set.delete(conn);
      fake.closedConnections.push(conn.id);
    });
  };
  fake.handlers = {
    "service.list": (params) => {
      fake.calls.push({ method: "service.list", params });
      return [summary("web"), summary("db")];
    },
    "service.status": async ({ name }) => {
      fake.calls.push({ method: "service.status", params: { name } });
      if (name === "missing") throw new ZinitError("not_found", `unknown service "${name}"`);
      // Random delays make pipelined answers finish out of order.
      if (name.startsWith("svc-")) await sleep(Math.random() * 20);
      return status(name);
    },
    "service.start": async ({ name }, conn) => {
      fake.calls.push({ method: "service.start", params: { name } });
      if (name === "slow") {
        await sleep(300);
        if (conn.closed) fake.finishedAfterClose++;
      }
      return null;
    },
    "service.stop": record("service.stop"),
    "service.restart": record("service.restart"),
    "service.kill": record("service.kill"),
    "service.create": ({ name, config }) => {
      fake.calls.push({ method: "service.create", params: { name, config } });
      if (name === "web") throw new ZinitError("already_exists", "service already exists: web");
      return null;
    },
    "service.delete": record("service.delete"),
    "service.start_all": (params) => {
      fake.calls.push({ method: "service.start_all", params });
      return ["web", "db"];
    },
    "service.stop_all": (params) => {
      fake.calls.push({ method: "service.stop_all", params });
      return ["web"];
    },
    "service.delete_all": (params) => {
      fake.calls.push({ method: "service.delete_all", params });
      return [];
    },
    "service.logs": (params, conn) => {
      fake.calls.push({ method: "service.logs", params });
      const name = params.name ?? "web";
      if (name === "flood") {
        track(conn, fake.logFollowers);
        // Keeps writing, ignoring close on purpose: notify must absorb it.
        const timer = setInterval(() => {
          for (let i = 0; i < 200; i++) {
            conn.notify("log", logLine("flood", `line ${fake.floodSent++} ${"x".repeat(200)}`));
          }
        }, 1);
        conn.onClose(() => setTimeout(() => clearInterval(timer), 50));
        return [];
      }
      if (params.follow) track(conn, fake.logFollowers);
      const lines = [logLine(name, "one"), logLine(name, "two"), logLine(name, "three")];
      return params.lines === undefined ? lines : lines.slice(-params.lines || lines.length);
    },
    "events.subscribe": (params, conn) => {
      fake.calls.push({ method: "events.subscribe", params });
      track(conn, fake.subscribers);
      return null;
    },
    "graph.get": (params) => {
      fake.calls.push({ method: "graph.get", params });
      return { nodes: [], edges: [], cycles: [], unknown: [] };
    },
    "system.reload": (params) => {
      fake.calls.push({ method: "system.reload", params });
      return { added: [], removed: [], changed: [], unchanged: ["db", "web"], errors: [] };
    },
    "system.info": (params) => {
      fake.calls.push({ method: "system.info", params });
      return {
        version: "0.0.0-test",
        mode: "standalone",
        pid: process.pid,
        uptime_ms: 1,
        started_at: "2024-01-01T00:00:00.000Z",
        paths: { config_dir: "/tmp", system_dir: null, socket: "/tmp/x.sock" },
        reaped_orphans: 0,
      };
    },
    "system.shutdown": record("system.shutdown"),
    "system.reboot": record("system.reboot"),
    "system.poweroff": record("system.poweroff"),
  };
  return fake;
}

/** A line-speaking client on a raw socket, to send what ZinitClient never would. */
export interface RawClient {
  socket: Socket;
  send(text: string): void;
  /** resolves with the next JSON message (rejects if the connection ends first) */
  next(timeoutMs?: number): Promise<any>;
  /** every message received so far */
  received: any[];
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

export function rawConnect(path: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    const decoder = new LineDecoder({ maxLineBytes: 64 * 1024 * 1024 });
    const received: any[] = [];
    let cursor = 0;
    let waiters: (() => void)[] = [];
    let ended = false;
    let endResolve!: () => void;
    const endedPromise = new Promise<void>((r) => (endResolve = r));
    const wakeAll = () => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    socket.on("data", (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) if (e.type === "line" && e.line) received.push(JSON.parse(e.line));
      wakeAll();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      ended = true;
      endResolve();
      wakeAll();
    });
    socket.once("error", reject);
    socket.once("connect", () => {
      resolve({
        socket,
        received,
        ended: endedPromise,
        isEnded: () => ended,
        send: (text) => {
          socket.write(text);
        },
        async next(timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs;
          while (cursor >= received.length) {
            if (ended) throw new Error("connection ended");
            if (Date.now() > deadline) throw new Error("timed out waiting for a message");
            await new Promise<void>((r) => {
              waiters.push(r);
              setTimeout(r, 50);
            });
          }
          return received[cursor++];
        },
        close: () => socket.destroy(),
      });
    });
  });
}
