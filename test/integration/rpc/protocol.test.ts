/**
 * The wire protocol as a raw client sees it: errors that keep
 * the connection, errors that close it, pipelining, and clients that vanish or
 * stop reading while the server is busy with them.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createConnection } from "node:net";
import { join } from "node:path";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { METHOD_NAMES } from "../../../src/sdk/protocol/methods.ts";
import { listenRpc, type ListenOptions, type RpcServer } from "../../../src/server/rpc/listen.ts";
import { makeFake, rawConnect, sleep, tempDir, waitFor, type Fake } from "./fake.ts";

let tmp: ReturnType<typeof tempDir>;
let server: RpcServer;
let fake: Fake;
let path: string;
let internalErrors: { method: string; error: unknown }[];
let warnings: string[];

async function serve(opts: ListenOptions = {}) {
  fake = makeFake();
  internalErrors = [];
  warnings = [];
  server = await listenRpc(path, fake.handlers, {
    onInternalError: (method, error) => internalErrors.push({ method, error }),
    onWarning: (message) => warnings.push(message),
    ...opts,
  });
}

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "zinit.sock");
  await serve();
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});

const req = (id: number | string, method: string, params?: unknown) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })}\n`;

/** Proves the server still answers a fresh client. */
async function stillServing() {
  const c = await rawConnect(path);
  c.send(req(1, "service.list"));
  const answer = await c.next();
  expect(answer.id).toBe(1);
  expect(answer.result.length).toBe(2);
  c.close();
}

describe("errors that keep the connection", () => {
  test("a line that is not JSON gets -32700, then the next request is answered", async () => {
    const c = await rawConnect(path);
    c.send("{this is not json\n");
    const err = await c.next();
    expect(err).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
    c.send(req(2, "service.list"));
    expect(await c.next()).toMatchObject({ id: 2, result: [{ name: "web" }, { name: "db" }] });
    c.close();
  });

  test("valid JSON that is no request gets -32600 with its id, and the connection stays", async () => {
    const c = await rawConnect(path);
    c.send('{"jsonrpc":"2.0","id":5}\n');
    expect(await c.next()).toMatchObject({ id: 5, error: { code: -32600 } });
    c.send("[1,2,3]\n");
    expect(await c.next()).toMatchObject({ id: null, error: { code: -32600 } });
    c.send('{"id":6,"method":"service.list"}\n');
    expect(await c.next()).toMatchObject({ id: 6, error: { code: -32600 } });
    c.send(req(7, "service.list"));
    expect(await c.next()).toMatchObject({ id: 7, result: [{ name: "web" }, { name: "db" }] });
    c.close();
  });

  test("blank lines are ignored", async () => {
    const c = await rawConnect(path);
    c.send("\n  \n" + req(1, "service.list"));
    expect(await c.next()).toMatchObject({ id: 1 });
    c.close();
  });

  test("an unknown method gets -32601", async () => {
    const c = await rawConnect(path);
    c.send(req(1, "service.explode", {}));
    expect(await c.next()).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32601, message: "method not found: service.explode", data: { name: "method_not_found" } },
    });
    c.close();
  });

  test("bad params get -32602 naming the param", async () => {
    const c = await rawConnect(path);
    c.send(req(1, "service.status", {}));
    expect(await c.next()).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32602, message: "service.status: params.name: expected string", data: { name: "invalid_params" } },
    });
    c.send(req(2, "service.kill", { name: "web", signal: [] }));
    expect(await c.next()).toMatchObject({
      id: 2,
      error: { code: -32602, message: "service.kill: params.signal: expected string or number, got array" },
    });
    c.send(req(3, "service.list", ["positional"]));
    expect(await c.next()).toMatchObject({ id: 3, error: { code: -32602 } });
    expect(fake.calls.length).toBe(0);
    c.close();
  });

  // The name travels in error.data beside the error's own data, so a client can
  // tell apart the names that share a number.
  test("a ZinitError keeps its number, message and data, and is named in data", async () => {
    const c = await rawConnect(path);
    c.send(req("s", "service.status", { name: "missing" }));
    expect(await c.next()).toEqual({
      jsonrpc: "2.0",
      id: "s",
      error: { code: -32000, message: 'unknown service "missing"', data: { name: "not_found" } },
    });
    fake.handlers["service.create"] = () => {
      throw new ZinitError("invalid_config", "web.toml: [service] exec: required", { errors: ["exec"] });
    };
    c.send(req("c", "service.create", { name: "web", config: "" }));
    expect(await c.next()).toEqual({
      jsonrpc: "2.0",
      id: "c",
      error: {
        code: -32002,
        message: "web.toml: [service] exec: required",
        data: { errors: ["exec"], name: "invalid_config" },
      },
    });
    c.close();
  });

  // A bug in one handler is logged on the server and answered, not fatal; the
  // answer carries nothing of the exception (no message text, no stack).
  test("any other throw gets a generic -32603 and the server keeps serving", async () => {
    fake.handlers["system.reload"] = () => {
      throw new Error("kaboom at /secret/path");
    };
    const c = await rawConnect(path);
    c.send(req(1, "system.reload"));
    const answer = await c.next();
    expect(answer).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32603, message: "internal error; the zinit server's log has the details", data: { name: "internal" } },
    });
    expect(JSON.stringify(answer)).not.toContain("kaboom");
    expect(JSON.stringify(answer)).not.toContain("secret");
    expect(internalErrors.map((e) => e.method)).toEqual(["system.reload"]);
    expect((internalErrors[0]!.error as Error).stack).toContain("kaboom at /secret/path");
    // The same connection still answers, and so does the server to others.
    c.send(req(2, "service.list"));
    expect(await c.next()).toMatchObject({ id: 2, result: [{ name: "web" }, { name: "db" }] });
    c.close();
    await stillServing();
  });

  // Without a reporter of its own, the server's log gets the bug, stack included.
  // The logger writes to fd 2 directly, so this runs in a process of its own and
  // reads what really reached its stderr.
  test("by default a bug is logged on stderr with its stack", async () => {
    const { dir, cleanup } = tempDir();
    const script = join(dir, "buggy-server.ts");
    const sock = join(dir, "buggy.sock");
    const src = (rel: string) => JSON.stringify(join(import.meta.dir, "../../../src", rel));
    await Bun.write(
      script,
      `import { listenRpc } from ${src("server/rpc/listen.ts")};
import { makeFake } from ${JSON.stringify(join(import.meta.dir, "fake.ts"))};
const handlers = makeFake().handlers;
handlers["system.reload"] = function reloadWithABug() { throw new Error("kaboom"); };
await listenRpc(${JSON.stringify(sock)}, handlers);
console.log("listening");
`,
    );
    const p = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    try {
      const reader = p.stdout.getReader();
      await reader.read(); // "listening"
      const c = await rawConnect(sock);
      c.send(req(1, "system.reload"));
      expect((await c.next()).error.code).toBe(-32603);
      c.close();
      await sleep(100);
    } finally {
      p.kill("SIGKILL");
    }
    const log = await new Response(p.stderr).text();
    cleanup();
    expect(log).toContain("[zinit] error: rpc: internal error in system.reload: Error: kaboom");
    expect(log).toContain("at reloadWithABug");
  });

  test("a result that cannot be encoded is a bug too: generic -32603, reported", async () => {
    fake.handlers["service.list"] = () => [{ big: 1n }] as never;
    const c = await rawConnect(path);
    c.send(req(1, "service.list"));
    expect(await c.next()).toMatchObject({ id: 1, error: { code: -32603, message: "internal error; the zinit server's log has the details" } });
    expect(internalErrors.map((e) => e.method)).toEqual(["service.list"]);
    c.send(req(2, "system.info"));
    expect(await c.next()).toMatchObject({ id: 2, result: { version: "0.0.0-test" } });
    c.close();
  });

  test("a method with no handler gets -32601; rpc.discover is built in", async () => {
    await server.close();
    server = await listenRpc(path, { "service.list": () => [] });
    const c = await rawConnect(path);
    c.send(req(1, "service.status", { name: "x" }));
    expect(await c.next()).toMatchObject({ id: 1, error: { code: -32601 } });
    c.send(req(2, "rpc.discover"));
    const doc = await c.next();
    expect(doc.result.openrpc).toBe("1.2.6");
    // the whole table, though only service.list has a handler here
    expect(doc.result.methods.length).toBe(METHOD_NAMES.length);
    c.close();
  });

  // JSON-RPC: a notification (no id) is executed but never answered.
  test("a request without id runs and gets no answer", async () => {
    const c = await rawConnect(path);
    c.send(`${JSON.stringify({ jsonrpc: "2.0", method: "service.stop", params: { name: "web" } })}\n`);
    c.send(`${JSON.stringify({ jsonrpc: "2.0", method: "system.reload" })}\n`);
    c.send(req(9, "service.list"));
    expect(await c.next()).toMatchObject({ id: 9 });
    await sleep(20);
    expect(c.received.length).toBe(1);
    expect(fake.calls.some((call) => call.method === "service.stop")).toBe(true);
    c.close();
  });
});

describe("oversized lines close the connection", () => {
  // Over 1 MiB gets -32600 and the connection is closed; others are unharmed.
  test("a request line over 1 MiB", async () => {
    const other = await rawConnect(path);
    other.send(req(1, "service.list"));
    expect(await other.next()).toMatchObject({ id: 1 });

    const c = await rawConnect(path);
    const huge = req(1, "service.create", { name: "big", config: "x".repeat(1024 * 1024 + 10) });
    c.send(huge);
    const err = await c.next();
    expect(err).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    await c.ended;
    expect(fake.calls.length).toBe(1);
    expect(warnings.length).toBe(1);

    other.send(req(2, "service.list"));
    expect(await other.next()).toMatchObject({ id: 2 });
    other.close();
    await stillServing();
  });

  // The bound holds for a line that never ends, so memory cannot be exhausted by one peer.
  test("a line that never ends", async () => {
    const c = await rawConnect(path);
    const chunk = "y".repeat(64 * 1024);
    for (let i = 0; i < 40 && !c.isEnded(); i++) {
      c.send(chunk);
      await sleep(1);
    }
    expect(await c.next()).toMatchObject({ id: null, error: { code: -32600 } });
    await c.ended;
    await stillServing();
  });
});

describe("oversized lines: the error is readable", () => {
  // Closing while the client still writes would fail its write (EPIPE) before it reads the error.
  test("a 4 MiB line: the client reads the error and EOF, with no write error", async () => {
    const c = await rawConnect(path);
    let writeError: Error | null = null;
    c.socket.on("error", (err) => (writeError = err));
    c.send("q".repeat(4 * 1024 * 1024));
    expect(await c.next()).toMatchObject({ id: null, error: { code: -32600 } });
    await c.ended;
    expect(writeError).toBeNull();
    await waitFor(() => server.connectionCount === 0, "the server to close its side");
  });

  // A peer that keeps its side open cannot hold the connection past the grace period.
  test("a peer that never closes is dropped after the grace period", async () => {
    await server.close();
    await serve({ overflowLingerMs: 100 });
    const socket = createConnection({ path, allowHalfOpen: true });
    await new Promise((r) => socket.once("connect", r));
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("error", () => {});
    socket.write("w".repeat(1100 * 1024));
    await waitFor(() => text.includes("-32600"), "the error");
    expect(server.connectionCount).toBe(1);
    await waitFor(() => server.connectionCount === 0, "the grace period to end", 3000);
    socket.destroy();
  });
});

describe("half-closed connections", () => {
  // `printf '...' | socat - UNIX-CONNECT:...` sends its FIN right after the request.
  test("answers in flight still arrive after the peer's FIN, then the connection ends", async () => {
    const c = await rawConnect(path);
    c.socket.end(req(1, "service.start", { name: "slow" }) + req(2, "service.list") + JSON.stringify({ jsonrpc: "2.0", id: 3, method: "service.list" }));
    await c.ended;
    expect(c.received.map((m) => m.id).sort()).toEqual([1, 2, 3]);
    expect(c.received.every((m) => "result" in m)).toBe(true);
    await waitFor(() => server.connectionCount === 0, "the server to close");
  });
});

describe("pipelining", () => {
  // Handlers finish out of order (random delays); every answer must carry its request's id.
  test("200 requests in one write are all answered with matching ids", async () => {
    const c = await rawConnect(path);
    let burst = "";
    for (let i = 1; i <= 200; i++) burst += req(i, "service.status", { name: `svc-${i}` });
    c.send(burst);
    const answers = [];
    for (let i = 0; i < 200; i++) answers.push(await c.next());
    const order = answers.map((a) => a.id);
    for (const a of answers) expect(a.result.name).toBe(`svc-${a.id}`);
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    expect([...order].sort((x, y) => x - y)).toEqual(ids);
    // Sequential handling would answer in request order; random delays make that all but impossible.
    expect(order).not.toEqual(ids);
    c.close();
  });
});

describe("clients that go away or stop reading", () => {
  test("a client that disconnects while its handler runs", async () => {
    const c = await rawConnect(path);
    c.send(req(1, "service.start", { name: "slow" }));
    await waitFor(() => fake.calls.length === 1, "the slow call to start");
    c.close();
    await waitFor(() => fake.finishedAfterClose === 1, "the slow handler to finish", 3000);
    await sleep(10);
    expect(internalErrors).toEqual([]);
    await stillServing();
  });

  test("a client that disconnects while notifications stream", async () => {
    const c = await rawConnect(path);
    c.send(req(1, "service.logs", { name: "flood", follow: true }));
    await waitFor(() => c.received.length > 500, "the flood to arrive");
    c.close();
    await waitFor(() => fake.closedConnections.length === 1, "the server to see the close");
    const sentAtClose = fake.floodSent;
    await sleep(30); // the flood keeps notifying a closed connection for a while
    expect(fake.floodSent).toBeGreaterThan(sentAtClose);
    expect(internalErrors).toEqual([]);
    await stillServing();
  });

  // A subscriber that never reads must be dropped, not buffered forever.
  test("a client that does not read its notifications is disconnected", async () => {
    await server.close();
    await serve({ maxPendingBytes: 256 * 1024 });
    const c = await rawConnect(path);
    c.send(req(1, "service.logs", { name: "flood", follow: true }));
    await waitFor(() => c.received.length > 0, "the first answer");
    c.socket.pause();
    await waitFor(() => fake.closedConnections.length === 1, "the slow reader to be dropped", 10_000);
    expect(warnings.some((w) => w.includes("unread output"))).toBe(true);
    expect(server.connectionCount).toBe(0);
    c.close();
    await stillServing();
  });
});
