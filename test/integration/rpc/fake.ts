/**
 * A fake handler table for the RPC tests: the answers of a small standalone
 * server, a few slow or flooding fixtures, and streams the test drives
 * (`emitEvent`, `emitLog`).
 * Plus a raw `node:net` client that speaks lines, for what ZinitClient hides.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeSignal } from "../../../src/sdk/config/signals.ts";
import { nameProblem } from "../../../src/sdk/config/schema.ts";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { formatIssue } from "../../../src/sdk/config/types.ts";
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
  /** the units the fake serves, in list order; create and delete change it */
  units: string[];
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

/**
 * Units only the transport tests use, beside the listed `web` and `db`: `slow`
 * (its start takes 300 ms), `flood` (its log follow floods), `svc-N` (its
 * status answers after a random delay, so pipelined answers finish out of order).
 */
function isFixture(name: string): boolean {
  return name === "slow" || name === "flood" || name.startsWith("svc-");
}

/**
 * A handler table that answers like a standalone server holding `web` and
 * `db`: same result shapes, same errors (numbers, names and messages) for the
 * same mistakes. test/contract holds it and the real server to one suite.
 */
export function makeFake(): Fake {
  const fake: Fake = {
    handlers: {},
    units: ["web", "db"],
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
  // The real server's words, so that a test cannot pass against one and fail against the other.
  const known = (name: string) => {
    if (!fake.units.includes(name) && !isFixture(name)) throw new ZinitError("not_found", `unknown service "${name}"`);
  };
  const transitions = (name: string, states: StateEvent["to"][], reason: string) => {
    for (let i = 1; i < states.length; i++) {
      fake.emitEvent({ name, from: states[i - 1]!, to: states[i]!, at: new Date().toISOString(), reason, pid: 100 });
    }
  };
  const power = (kind: "reboot" | "poweroff") => {
    throw new ZinitError("refused", `${kind} needs zinit running as PID 1 in VM mode (this server runs in standalone mode)`);
  };
  const record = (method: string, params: unknown) => fake.calls.push({ method, params });
  const track = (conn: RpcConnection, set: Set<RpcConnection>) => {
    set.add(conn);
    conn.onClose(() => {
      set.delete(conn);
      fake.closedConnections.push(conn.id);
    });
  };
  fake.handlers = {
    "service.list": (params) => {
      record("service.list", params);
      return fake.units.map(summary);
    },
    "service.status": async ({ name }) => {
      record("service.status", { name });
      known(name);
      // Random delays make pipelined answers finish out of order.
      if (name.startsWith("svc-")) await sleep(Math.random() * 20);
      return status(name);
    },
    "service.start": async ({ name }, conn) => {
      record("service.start", { name });
      known(name);
      if (name === "slow") {
        await sleep(300);
        if (conn.closed) fake.finishedAfterClose++;
      }
      return null;
    },
    "service.stop": (params) => {
      record("service.stop", params);
      known(params.name);
      return null;
    },
    "service.restart": (params) => {
      record("service.restart", params);
      known(params.name);
      transitions(params.name, ["running", "stopping", "inactive", "starting", "running"], "restarting");
      return null;
    },
    "service.kill": (params) => {
      record("service.kill", params);
      known(params.name);
      const signal = params.signal ?? "SIGTERM";
      if (normalizeSignal(signal) === undefined) {
        throw new ZinitError("invalid_params", `unknown signal ${JSON.stringify(signal)}`);
      }
      return null;
    },
    "service.create": ({ name, config }) => {
      record("service.create", { name, config });
      const bad = nameProblem(name);
      if (bad) throw new ZinitError("invalid_config", `invalid service name ${JSON.stringify(name)}: ${bad}`);
      if (fake.units.includes(name)) throw new ZinitError("already_exists", `service "${name}" already exists`);
      const parsed = parseUnit(config, `/etc/zinit/services/${name}.toml`);
      if ("errors" in parsed) {
        throw new ZinitError("invalid_config", parsed.errors.map(formatIssue).join("\n"), { errors: parsed.errors });
      }
      fake.units.push(name);
      return null;
    },
    "service.delete": (params) => {
      record("service.delete", params);
      known(params.name);
      fake.units = fake.units.filter((n) => n !== params.name);
      return null;
    },
    "service.start_all": (params) => {
      record("service.start_all", params);
      return ["web", "db"];
    },
    "service.stop_all": (params) => {
      record("service.stop_all", params);
      return ["web"];
    },
    "service.delete_all": (params) => {
      record("service.delete_all", params);
      const gone = [...fake.units].sort();
      fake.units = [];
      return gone;
    },
    "service.logs": (params, conn) => {
      record("service.logs", params);
      if (params.name !== undefined) known(params.name);
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
      record("events.subscribe", params);
      track(conn, fake.subscribers);
      return null;
    },
    "graph.get": (params) => {
      record("graph.get", params);
      if (params.name !== undefined) known(params.name);
      const names = params.name === undefined ? [...fake.units].sort() : [params.name];
      return { nodes: names.map((n) => ({ name: n, kind: "service", state: "running" })), edges: [], cycles: [], unknown: [] };
    },
    "system.reload": (params) => {
      record("system.reload", params);
      return { added: [], removed: [], changed: [], unchanged: [...fake.units].sort(), errors: [] };
    },
    "system.health": (params) => {
      record("system.health", params);
      const names = params.names?.length ? [...new Set(params.names)] : [...fake.units];
      const unknown = names.filter((n) => !fake.units.includes(n));
      if (unknown.length > 0) {
        throw new ZinitError("not_found", `unknown service${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}`);
      }
      const units = names.sort().map((name) => ({ name, kind: "service" as const, state: "running" as const, healthy: true, problem: null }));
      return { healthy: true, units };
    },
    "system.metrics": (params) => {
      record("system.metrics", params);
      const up = [...fake.units].sort().map((n) => `zinit_service_up{service="${n}"} 1`);
      return ["# HELP zinit_info The fake's version.", "# TYPE zinit_info gauge", 'zinit_info{version="0.0.0-test",mode="standalone"} 1', "# HELP zinit_service_up 1 while running.", "# TYPE zinit_service_up gauge", ...up, ""].join("\n");
    },
    "system.info": (params) => {
      record("system.info", params);
      return {
        version: "0.0.0-test",
        mode: "standalone",
        pid: process.pid,
        uptime_ms: 1,
        started_at: "2024-01-01T00:00:00.000Z",
        paths: { config_dir: "/tmp", system_dir: null, socket: "/tmp/x.sock" },
        reaped_orphans: 0,
        cgroups: { enabled: false, path: null, reason: "turned off (ZINIT_CGROUPS=off)", controllers: [] },
      };
    },
    "system.shutdown": (params) => {
      record("system.shutdown", params);
      return null;
    },
    "system.reboot": (params) => {
      record("system.reboot", params);
      return power("reboot");
    },
    "system.poweroff": (params) => {
      record("system.poweroff", params);
      return power("poweroff");
    },
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
