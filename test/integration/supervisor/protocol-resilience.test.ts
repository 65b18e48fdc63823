/**
 * The real server's socket under abuse (docs/protocol.md, transport): bad lines get errors
 * and the connection lives on; an oversized line closes only its connection;
 * pipelined requests are all answered; a follower that vanishes is forgotten.
 * In each case the server keeps supervising and serving other clients.
 */
import { describe, expect, test } from "bun:test";
import { RawConn, service, status, waitFor, waitState, withServer } from "./lib.ts";

const SLEEP = ["sleep", "1000"];

describe("protocol resilience", () => {
  test("malformed JSON gets -32700 and the same connection still works", async () => {
    await withServer({ web: service(SLEEP) }, async (s) => {
      const c = await RawConn.connect(s.socket);
      try {
        c.write("{this is not json\n");
        const err = await c.waitMessage("parse error", (m) => m.error?.code === -32700);
        expect(err.id).toBeNull();
        // valid JSON that is not JSON-RPC
        c.write(`${JSON.stringify({ hello: "world" })}\n`);
        await c.waitMessage("invalid request", (m) => m.error?.code === -32600);
        const ok = await c.call("service.status", { name: "web" });
        expect(ok.result.state).toBe("running");
        expect(c.closed).toBe(false);
      } finally {
        c.close();
      }
    });
  });

  test("unknown method -32601, bad params -32602, unknown service -32000, ids echoed", async () => {
    await withServer({ web: service(SLEEP) }, async (s) => {
      const c = await RawConn.connect(s.socket);
      try {
        const unknown = await c.call("service.frobnicate", {});
        expect(unknown.error?.code).toBe(-32601);
        const noName = await c.call("service.status", {});
        expect(noName.error?.code).toBe(-32602);
        const wrongType = await c.call("service.status", { name: 42 });
        expect(wrongType.error?.code).toBe(-32602);
        const ghost = await c.call("service.status", { name: "ghost" });
        expect(ghost.error?.code).toBe(-32000);
        // a string id comes back as that string
        c.write(`${JSON.stringify({ jsonrpc: "2.0", id: "abc", method: "service.list" })}\n`);
        const byString = await c.waitMessage("string id", (m) => m.id === "abc");
        expect(Array.isArray(byString.result)).toBe(true);
      } finally {
        c.close();
      }
    });
  });

  // A notification (no id) is executed but never answered.
  test("a request without id is not answered", async () => {
    await withServer({ web: service(SLEEP) }, async (s) => {
      const c = await RawConn.connect(s.socket);
      try {
        c.write(`${JSON.stringify({ jsonrpc: "2.0", method: "service.list" })}\n`);
        const ans = await c.call("system.info");
        expect(ans.result.pid).toBe(s.proc.pid);
        await Bun.sleep(100);
        expect(c.messages).toHaveLength(1);
      } finally {
        c.close();
      }
    });
  });

  test("a request line over 1 MiB gets -32600 and closes only that connection", async () => {
    await withServer({ web: service(SLEEP) }, async (s) => {
      const bystander = await RawConn.connect(s.socket);
      const abuser = await RawConn.connect(s.socket);
      try {
        const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "service.status", params: { name: "x".repeat(1200 * 1024) } });
        abuser.write(`${big}\n`);
        const err = await abuser.waitMessage("-32600", (m) => m.error?.code === -32600);
        expect(err.id).toBeNull();
        await waitFor("abuser closed", () => abuser.closed, 3000);
        // the other connection and new ones are unaffected
        const ok = await bystander.call("service.status", { name: "web" });
        expect(ok.result.state).toBe("running");
        expect(bystander.closed).toBe(false);
        expect((await status(s, "web")).state).toBe("running");
      } finally {
        bystander.close();
        abuser.close();
      }
    });
  });

  // The bound holds for a line that never ends, too.
  test("a line that never ends is cut at 1 MiB: -32600 and the connection closed", async () => {
    await withServer({ web: service(SLEEP) }, async (s) => {
      const c = await RawConn.connect(s.socket);
      try {
        const chunk = "a".repeat(256 * 1024);
        for (let i = 0; i < 6; i++) c.write(chunk); // 1.5 MiB, no newline
        await c.waitMessage("-32600", (m) => m.error?.code === -32600);
        await waitFor("closed", () => c.closed, 3000);
        expect((await s.rpc("service.list")).length).toBe(1);
      } finally {
        c.close();
      }
    });
  });

  test("200 requests pipelined in one write are all answered, each once", async () => {
    await withServer({ web: service(SLEEP), db: service(SLEEP) }, async (s) => {
      const c = await RawConn.connect(s.socket);
      try {
        let batch = "";
        for (let id = 1; id <= 200; id++) {
          const method = id % 3 === 0 ? "service.list" : id % 3 === 1 ? "service.status" : "system.info";
          const params = method === "service.status" ? { name: id % 2 ? "web" : "db" } : {};
          batch += `${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`;
        }
        c.write(batch);
        await waitFor("200 answers", () => c.messages.length >= 200, 5000);
        await Bun.sleep(50);
        expect(c.messages).toHaveLength(200);
        const ids = c.messages.map((m) => m.id as number).sort((a, b) => a - b);
        expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        for (const m of c.messages) {
          expect(m.error).toBeUndefined();
          const id = m.id as number;
          if (id % 3 === 1) expect(m.result.name).toBe(id % 2 ? "web" : "db");
          if (id % 3 === 0) expect(m.result).toHaveLength(2);
          if (id % 3 === 2) expect(m.result.pid).toBe(s.proc.pid);
        }
      } finally {
        c.close();
      }
    });
  });

  // A follower that disconnects mid-stream is dropped; supervision and serving go on.
  test("clients that vanish mid-follow (logs and events) do not harm the server", async () => {
    const tick = `i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.01; done`;
    await withServer({ tick: service(tick), flap: service("sleep 0.05; exit 1", { lifecycle: { restart_delay_ms: 20 } }) }, async (s) => {
      await waitState(s, "tick", "running");
      for (let round = 0; round < 5; round++) {
        const logs = await RawConn.connect(s.socket);
        const events = await RawConn.connect(s.socket);
        await logs.call("service.logs", { name: "tick", follow: true, lines: 5 });
        await events.call("events.subscribe");
        await waitFor("some lines", () => logs.notifications("log").length >= 3);
        await waitFor("some events", () => events.notifications("event").length >= 1);
        // vanish without reading further, one half-closed, one reset
        logs.socket.end();
        events.socket.destroy();
      }
      // a client that stops reading while lines pile up for it
      const stalled = await RawConn.connect(s.socket);
      stalled.socket.pause();
      stalled.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "service.logs", params: { follow: true } })}\n`);
      await Bun.sleep(500);
      stalled.close();

      const survivor = await RawConn.connect(s.socket);
      try {
        await survivor.call("service.logs", { name: "tick", follow: true, lines: 0 });
        await waitFor("still streaming", () => survivor.notifications("log").length >= 3);
        const st = await s.rpc("service.status", { name: "tick" });
        expect(st.state).toBe("running");
        const flap = await s.rpc("service.status", { name: "flap" });
        expect(flap.restarts).toBeGreaterThan(3);
        expect(s.proc.exitCode).toBeNull();
      } finally {
        survivor.close();
      }
    });
  });
});
