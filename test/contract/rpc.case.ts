/**
 * The socket API's contract, one suite run against every implementation: the
 * compiled server (rpc-server.test.ts) and the handler table the transport
 * tests use as a fake (rpc-fake.test.ts). Each implementation serves a
 * standalone world of two running services, `web` and `db`.
 *
 * Every method of the method table is called at least once; every result is
 * checked against the table's result schema (the one the OpenRPC document
 * publishes), every notification against its params schema, and every error
 * by number, name and, where the text is part of what users see, message. A
 * last test fails when a method is added to the table and not to this suite.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ERROR_CODES, type ErrorCode } from "../../src/sdk/errors.ts";
import { checkNotification, checkResult } from "../../src/sdk/protocol/check-schema.ts";
import { METHOD_NAMES } from "../../src/sdk/protocol/methods.ts";
import { buildOpenRpcDocument } from "../../src/sdk/protocol/openrpc.ts";
import type { MethodName } from "../../src/sdk/protocol/types.ts";
import { Wire, type WireMessage } from "./wire.ts";

/** One implementation of the socket API, listening. */
export interface RpcSubject {
  socket: string;
  /** Makes `web` print a line on its stdout soon (a service that prints by itself may do nothing). */
  printLine(): void;
  /** Stops it and removes what it made; also when it already shut down. */
  close(): Promise<void>;
}

const TOML_OK = '[service]\nexec = ["sleep", "1000"]\n';

export function rpcContract(label: string, open: () => Promise<RpcSubject>): void {
  describe(`socket API contract: ${label}`, () => {
    let subject: RpcSubject;
    let wire: Wire;
    const covered = new Set<string>();

    beforeAll(async () => {
      subject = await open();
      wire = await Wire.connect(subject.socket);
    });
    afterAll(async () => {
      wire?.close();
      await subject?.close();
    });

    /** Calls `method` on `on` (default: the shared connection) and returns its result, checked against the table. */
    async function ok(method: MethodName, params?: unknown, on: Wire = wire): Promise<any> {
      covered.add(method);
      const answer = await on.call(method, params);
      expect({ method, error: answer.error }).toEqual({ method, error: undefined });
      expect({ method, problems: checkResult(method, answer.result) }).toEqual({ method, problems: [] });
      return answer.result;
    }

    /** Calls `method` and expects the error `name`: its number, its name in data, and the message if given. */
    async function fails(method: string, params: unknown, name: ErrorCode, message?: string): Promise<WireMessage["error"]> {
      covered.add(method);
      const answer = await wire.call(method, params);
      expect({ method, result: answer.result }).toEqual({ method, result: undefined });
      const error = answer.error!;
      expect({ method, code: error.code, name: (error.data as { name?: unknown } | undefined)?.name }).toEqual({
        method,
        code: ERROR_CODES[name].rpc,
        name,
      });
      expect(typeof error.message).toBe("string");
      expect(error.message.length).toBeGreaterThan(0);
      if (message !== undefined) expect(error.message).toBe(message);
      return error;
    }

    const notFound = (method: string, params: unknown) => fails(method, params, "not_found", 'unknown service "missing"');

    test("service.list: a summary of each unit", async () => {
      const list = await ok("service.list");
      expect(list.map((s: { name: string }) => s.name).sort()).toEqual(["db", "web"]);
    });

    test("service.status: the full status; an unknown name is not_found", async () => {
      const st = await ok("service.status", { name: "web" });
      expect(st).toMatchObject({ name: "web", kind: "service", state: "running" });
      await notFound("service.status", { name: "missing" });
    });

    test("service.kill: signals the group; unknown name, unknown signal", async () => {
      expect(await ok("service.kill", { name: "web", signal: "CONT" })).toBeNull();
      expect(await ok("service.kill", { name: "web", signal: 18 })).toBeNull();
      await notFound("service.kill", { name: "missing", signal: "CONT" });
      await fails("service.kill", { name: "web", signal: "NOPE" }, "invalid_params", 'unknown signal "NOPE"');
    });

    test("service.start, stop, restart: an unknown name is not_found", async () => {
      expect(await ok("service.start", { name: "web" })).toBeNull();
      await notFound("service.start", { name: "missing" });
      await notFound("service.stop", { name: "missing" });
      await notFound("service.restart", { name: "missing" });
    });

    test("events.subscribe: state changes arrive as event notifications", async () => {
      const watcher = await Wire.connect(subject.socket);
      try {
        expect(await ok("events.subscribe", undefined, watcher)).toBeNull();
        expect(await ok("service.restart", { name: "web" })).toBeNull();
        // Back to running: the restart is over before the next test uses `web`.
        await watcher.notification("web running again", (m) => {
          const p = m.params as { name?: string; to?: string };
          return m.method === "event" && p.name === "web" && p.to === "running";
        });
        for (const m of watcher.notifications) {
          expect(m.method).toBe("event");
          expect(checkNotification("event", m.params)).toEqual([]);
        }
      } finally {
        watcher.close();
      }
    });

    test("service.logs: buffered lines; with follow, log notifications; unknown name", async () => {
      const lines = await ok("service.logs", { name: "web", lines: 2 });
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const l of lines) expect(l.name).toBe("web");
      await ok("service.logs", {});
      const follower = await Wire.connect(subject.socket);
      try {
        await ok("service.logs", { name: "web", lines: 0, follow: true }, follower);
        subject.printLine();
        const m = await follower.notification("a log line of web", (n) => n.method === "log");
        expect(checkNotification("log", m.params)).toEqual([]);
        expect(m.params).toMatchObject({ name: "web", stream: "stdout" });
      } finally {
        follower.close();
      }
      await notFound("service.logs", { name: "missing" });
    });

    test("graph.get: the whole graph or one unit's part; an unknown name is not_found", async () => {
      const whole = await ok("graph.get", {});
      expect(whole.nodes.map((n: { name: string }) => n.name)).toEqual(["db", "web"]);
      const one = await ok("graph.get", { name: "web" });
      expect(one.nodes.map((n: { name: string }) => n.name)).toEqual(["web"]);
      await notFound("graph.get", { name: "missing" });
    });

    test("service.create and service.delete, and their refusals", async () => {
      expect(await ok("service.create", { name: "api", config: TOML_OK })).toBeNull();
      expect((await ok("service.list")).map((s: { name: string }) => s.name).sort()).toEqual(["api", "db", "web"]);
      await fails("service.create", { name: "web", config: TOML_OK }, "already_exists", 'service "web" already exists');
      const bad = await fails("service.create", { name: "bad", config: "[service]\nexec = 5\n" }, "invalid_config");
      expect(bad!.message).toContain("exec");
      expect(Array.isArray((bad!.data as { errors?: unknown }).errors)).toBe(true);
      await fails("service.create", { name: "../x", config: TOML_OK }, "invalid_config");
      expect(await ok("service.delete", { name: "api" })).toBeNull();
      await notFound("service.delete", { name: "missing" });
      expect((await ok("service.list")).map((s: { name: string }) => s.name).sort()).toEqual(["db", "web"]);
    });

    test("system.reload: nothing changed on disk", async () => {
      const r = await ok("system.reload");
      expect(r).toMatchObject({ added: [], removed: [], changed: [], errors: [] });
      expect([...r.unchanged].sort()).toEqual(["db", "web"]);
    });

    test("system.info and rpc.discover", async () => {
      const info = await ok("system.info");
      expect(info.mode).toBe("standalone");
      const doc = await ok("rpc.discover");
      expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenRpcDocument(doc.info.version))));
    });

    test("system.health: a verdict per unit, the named ones only; unknown names are not_found together", async () => {
      const all = await ok("system.health");
      expect(all.units.map((u: { name: string }) => u.name)).toEqual(["db", "web"]);
      expect(typeof all.healthy).toBe("boolean");
      const one = await ok("system.health", { names: ["web"] });
      expect(one.units.map((u: { name: string }) => u.name)).toEqual(["web"]);
      await fails("system.health", { names: ["web", "missing", "gone"] }, "not_found", 'unknown services "missing", "gone"');
      await fails("system.health", { names: "web" }, "invalid_params");
    });

    test("system.metrics: the Prometheus text of the units", async () => {
      const text: string = await ok("system.metrics");
      expect(text).toMatch(/^zinit_info\{version="[^"]+",mode="standalone"\} 1$/m);
      expect(text).toMatch(/^zinit_service_up\{service="web"\} [01]$/m);
      expect(text.endsWith("\n")).toBe(true);
    });

    test("system.reboot and system.poweroff are refused outside VM mode", async () => {
      for (const kind of ["reboot", "poweroff"] as const) {
        await fails(
          `system.${kind}`,
          {},
          "refused",
          `${kind} needs zinit running as PID 1 in VM mode (this server runs in standalone mode)`,
        );
      }
    });

    test("protocol errors: unknown method, bad params", async () => {
      const unknown = await wire.call("service.explode", {});
      expect(unknown.error).toEqual({
        code: -32601,
        message: "method not found: service.explode",
        data: { name: "method_not_found" },
      });
      await fails("service.status", {}, "invalid_params", "service.status: params.name: expected string");
      await fails("service.logs", { lines: -1 }, "invalid_params");
    });

    test("start_all, stop_all, delete_all: the names affected", async () => {
      await ok("service.start_all");
      await ok("service.stop_all");
      // Deleting while a stop is still under way is another scenario; this one starts settled.
      const deadline = Date.now() + 5000;
      while ((await ok("service.list")).some((s: { state: string }) => s.state === "stopping")) {
        if (Date.now() > deadline) throw new Error("stop_all did not settle");
        await Bun.sleep(10);
      }
      const gone = await ok("service.delete_all");
      expect([...gone].sort()).toEqual(["db", "web"]);
      expect(await ok("service.list")).toEqual([]);
    });

    test("system.shutdown is accepted", async () => {
      expect(await ok("system.shutdown")).toBeNull();
    });

    test("every method of the table was called", () => {
      expect([...covered].filter((m) => METHOD_NAMES.includes(m as MethodName)).sort()).toEqual([...METHOD_NAMES].sort());
    });
  });
}
