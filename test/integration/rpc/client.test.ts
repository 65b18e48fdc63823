/**
 * ZinitClient against a real listener with a fake handler table: every method
 * maps to its protocol call, errors map back to codes, streams come and go on
 * connections of their own, and the bundled client runs under Node and is
 * refused to a non-root user by the socket's mode.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { ZinitError } from "../../../src/sdk/errors.ts";
import type { LogLine, StateEvent } from "../../../src/sdk/protocol/types.ts";
import { listenRpc, type RpcServer } from "../../../src/server/rpc/listen.ts";
import { logLine, makeFake, sleep, tempDir, waitFor, type Fake } from "./fake.ts";

const ROOT = join(import.meta.dir, "..", "..", "..");

let tmp: ReturnType<typeof tempDir>;
let server: RpcServer;
let fake: Fake;
let path: string;
let client: ZinitClient;

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "zinit.sock");
  fake = makeFake();
  // The bug forced below is expected: keep its stack out of the test output.
  server = await listenRpc(path, fake.handlers, { onInternalError: () => {} });
  client = await ZinitClient.connect(path);
});
afterEach(async () => {
  await client.close();
  await server.close();
  tmp.cleanup();
});

const event = (name: string, to: StateEvent["to"]): StateEvent => ({
  name,
  from: "starting",
  to,
  at: "2024-01-01T00:00:00.000Z",
  reason: "test",
  pid: 1,
});

describe("methods", () => {
  // One client method per protocol method, each sending the params the server expects.
  test("each method sends its protocol call", async () => {
    expect((await client.list()).map((s) => s.name)).toEqual(["web", "db"]);
    expect((await client.status("web")).file).toBe("/etc/zinit/services/web.toml");
    expect(await client.start("web")).toBeNull();
    await client.stop("web");
    await client.restart("web");
    await client.kill("web");
    await client.kill("web", "HUP");
    await client.kill("web", 9);
    await client.create("api", '[service]\nexec = "true"\n');
    await client.delete("api");
    expect(await client.startAll()).toEqual(["web", "db"]);
    expect(await client.stopAll()).toEqual(["web"]);
    await client.graph();
    await client.graph("web");
    expect((await client.info()).version).toBe("0.0.0-test");
    await client.shutdown();
    // Like a server outside VM mode, the fake refuses these; the calls still went out.
    await expect(client.reboot()).rejects.toMatchObject({ code: "refused" });
    await expect(client.poweroff()).rejects.toMatchObject({ code: "refused" });
    expect((await client.discover()).openrpc).toBe("1.2.6");
    expect(await client.deleteAll()).toEqual(["db", "web"]);
    expect(fake.calls).toEqual([
      { method: "service.list", params: {} },
      { method: "service.status", params: { name: "web" } },
      { method: "service.start", params: { name: "web" } },
      { method: "service.stop", params: { name: "web" } },
      { method: "service.restart", params: { name: "web" } },
      { method: "service.kill", params: { name: "web" } },
      { method: "service.kill", params: { name: "web", signal: "HUP" } },
      { method: "service.kill", params: { name: "web", signal: 9 } },
      { method: "service.create", params: { name: "api", config: '[service]\nexec = "true"\n' } },
      { method: "service.delete", params: { name: "api" } },
      { method: "service.start_all", params: {} },
      { method: "service.stop_all", params: {} },
      { method: "graph.get", params: {} },
      { method: "graph.get", params: { name: "web" } },
      { method: "system.info", params: {} },
      { method: "system.shutdown", params: {} },
      { method: "system.reboot", params: {} },
      { method: "system.poweroff", params: {} },
      { method: "service.delete_all", params: {} },
    ]);
  });

  test("error answers reject with the mapped ZinitError", async () => {
    const notFound = await client.status("missing").catch((e) => e);
    expect(notFound).toBeInstanceOf(ZinitError);
    expect(notFound).toMatchObject({ code: "not_found", message: 'unknown service "missing"' });
    expect(notFound.data).toBeUndefined();
    expect(notFound.exitCode).toBe(3);
    await expect(client.create("web", "")).rejects.toMatchObject({ code: "already_exists" });
    fake.handlers["system.reload"] = () => {
      throw new Error("kaboom");
    };
    await expect(client.reload()).rejects.toMatchObject({
      code: "internal",
      message: "internal error; the zinit server's log has the details",
    });
    await expect(client.call("service.status", {} as { name: string })).rejects.toMatchObject({
      code: "invalid_params",
      message: "service.status: params.name: expected string",
    });
    await expect(client.call("nope" as "service.list")).rejects.toMatchObject({ code: "method_not_found" });
    // Names that share a number are told apart by the name the server sends.
    fake.handlers["system.reload"] = () => {
      throw new ZinitError("failed", "cannot write /etc/zinit/x.toml: EROFS", { path: "/etc/zinit/x.toml" });
    };
    await expect(client.reload()).rejects.toMatchObject({
      code: "failed",
      rpcCode: -32603,
      message: "cannot write /etc/zinit/x.toml: EROFS",
      data: { path: "/etc/zinit/x.toml" },
    });
  });

  test("many calls in flight on one connection are matched by id", async () => {
    const names = Array.from({ length: 100 }, (_, i) => `svc-${i}`);
    const results = await Promise.all(names.map((n) => client.status(n)));
    expect(results.map((r) => r.name)).toEqual(names);
  });

  test("losing the connection rejects every call in flight with unreachable", async () => {
    const inFlight = Promise.allSettled([client.start("slow"), client.start("slow")]);
    await waitFor(() => fake.calls.length === 2, "the calls to arrive");
    await server.close();
    for (const outcome of await inFlight) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: "unreachable" });
    }
    await expect(client.list()).rejects.toMatchObject({ code: "unreachable" });
  });

  // The CLI exits 4 with this message: it must name the socket tried.
  test("connect failure names the socket and the reason", async () => {
    const nowhere = join(tmp.dir, "nowhere.sock");
    const err = await ZinitClient.connect(nowhere).catch((e) => e);
    expect(err).toBeInstanceOf(ZinitError);
    expect(err.code).toBe("unreachable");
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(`cannot reach the zinit server at ${nowhere}: ENOENT`);
  });

  test("connect defaults to ZINIT_SOCKET", async () => {
    const saved = process.env.ZINIT_SOCKET;
    process.env.ZINIT_SOCKET = path;
    try {
      const c = await ZinitClient.connect();
      expect(c.socketPath).toBe(path);
      await c.close();
    } finally {
      if (saved === undefined) delete process.env.ZINIT_SOCKET;
      else process.env.ZINIT_SOCKET = saved;
    }
  });
});

describe("streams", () => {
  test("events() yields state changes; leaving the loop closes its connection", async () => {
    const seen: StateEvent[] = [];
    const consumer = (async () => {
      for await (const e of client.events()) {
        seen.push(e);
        if (seen.length === 3) break;
      }
    })();
    await waitFor(() => fake.subscribers.size === 1, "the subscription");
    // The stream has a connection of its own: calls on the client are unaffected.
    expect((await client.list()).length).toBe(2);
    fake.emitEvent(event("web", "running"));
    fake.emitEvent(event("db", "running"));
    fake.emitEvent(event("web", "failed"));
    fake.emitEvent(event("web", "inactive"));
    await consumer;
    expect(seen.map((e) => `${e.name}:${e.to}`)).toEqual(["web:running", "db:running", "web:failed"]);
    await waitFor(() => fake.subscribers.size === 0, "the stream's connection to close");
    expect(client.closed).toBe(false);
  });

  test("events() throws unreachable when the server goes away", async () => {
    const iterator = client.events();
    const first = iterator.next();
    await waitFor(() => fake.subscribers.size === 1, "the subscription");
    fake.emitEvent(event("web", "running"));
    expect((await first).value).toMatchObject({ name: "web" });
    const second = iterator.next();
    await server.close();
    await expect(second).rejects.toMatchObject({ code: "unreachable" });
  });

  test("logs() without follow yields the buffered lines and ends", async () => {
    const lines: LogLine[] = [];
    for await (const l of client.logs("web", { lines: 2 })) lines.push(l);
    expect(lines.map((l) => l.line)).toEqual(["two", "three"]);
    expect(fake.calls.at(-1)).toEqual({ method: "service.logs", params: { name: "web", lines: 2 } });
    await waitFor(() => server.connectionCount === 1, "the logs connection to close");
  });

  test("logs() of an unknown service rejects on the first next()", async () => {
    await server.close();
    server = await listenRpc(path, {
      "service.logs": () => {
        throw new ZinitError("not_found", 'unknown service "nope"');
      },
    });
    const iterator = client.logs("nope");
    await expect(iterator.next()).rejects.toMatchObject({ code: "not_found" });
  });

  test("logs() with follow yields the buffer, then new lines, until the loop is left", async () => {
    const lines: string[] = [];
    const consumer = (async () => {
      for await (const l of client.logs("web", { follow: true })) {
        lines.push(l.line);
        if (l.line === "four") await sleep(5);
        if (lines.length === 5) break;
      }
    })();
    await waitFor(() => fake.logFollowers.size === 1, "the follower");
    fake.emitLog(logLine("web", "four"));
    fake.emitLog(logLine("web", "five"));
    fake.emitLog(logLine("web", "six"));
    await consumer;
    expect(lines).toEqual(["one", "two", "three", "four", "five"]);
    await waitFor(() => fake.logFollowers.size === 0, "the follower's connection to close");
  });

  // A consumer slower than the flood must not make the client buffer without bound.
  test("a slow consumer of a flood still gets lines in order", async () => {
    let count = 0;
    let last = -1;
    let outOfOrder = 0;
    for await (const l of client.logs("flood", { follow: true })) {
      const n = Number(l.line.split(" ")[1]);
      if (n !== last + 1) outOfOrder++;
      last = n;
      if (++count % 500 === 0) await sleep(5);
      if (count === 5000) break;
    }
    expect(outOfOrder).toBe(0);
    await waitFor(() => fake.logFollowers.size === 0, "the flood's connection to close");
  });
});

describe("other runtimes and users", () => {
  async function bundleClient(dir: string) {
    const out = join(dir, "client.mjs");
    const build = Bun.spawn(
      [process.execPath, "build", join(ROOT, "src/sdk/client.ts"), "--target=node", "--outfile", out],
      { stdout: "pipe", stderr: "pipe", cwd: dir },
    );
    expect(await build.exited).toBe(0);
    return out;
  }

  // The SDK is usable from Node, not only Bun.
  test("the bundled client works under node", async () => {
    await bundleClient(tmp.dir);
    const script = join(tmp.dir, "node-client.mjs");
    writeFileSync(
      script,
      `import { ZinitClient } from "./client.mjs";
const c = await ZinitClient.connect(process.argv[2]);
const list = await c.list();
let notFound = null;
try { await c.status("missing"); } catch (e) { notFound = e.code; }
const lines = [];
for await (const l of c.logs("web")) lines.push(l.line);
await c.close();
console.log(JSON.stringify({ names: list.map((s) => s.name), notFound, lines }));
`,
    );
    const node = Bun.spawn(["node", script, path], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(node.stdout).text(), new Response(node.stderr).text(), node.exited]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ names: ["web", "db"], notFound: "not_found", lines: ["one", "two", "three"] });
  });

  // Mode 0600 means only the owner (root) may connect.
  test.skipIf(process.getuid?.() !== 0)("a non-root client is refused by the socket's mode", async () => {
    // World-searchable dir: only the socket's own mode may stand in nobody's way.
    chmodSync(tmp.dir, 0o755);
    await bundleClient(tmp.dir);
    const script = join(tmp.dir, "nobody-client.mjs");
    writeFileSync(
      script,
      `import { ZinitClient } from "./client.mjs";
try { const c = await ZinitClient.connect(process.argv[2]); console.log("connected " + (await c.list()).length); await c.close(); }
catch (e) { console.log(e.code + ": " + e.message); }
`,
    );
    chmodSync(script, 0o644);
    chmodSync(join(tmp.dir, "client.mjs"), 0o644);
    const asNobody = async () => {
      const p = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "node", script, path], {
        stdout: "pipe",
        stderr: "pipe",
        cwd: "/",
      });
      const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return (out + err).trim();
    };
    expect(await asNobody()).toBe(`unreachable: cannot reach the zinit server at ${path}: EACCES`);
    // Control: with the mode opened, the same user gets through, so the mode was the reason.
    chmodSync(path, 0o666);
    expect(await asNobody()).toBe("connected 2");
  });
});
