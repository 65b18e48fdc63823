/**
 * The socket file: its mode, a stale file left by a dead server, a live server
 * that must not be displaced, and clean removal on close.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { listenRpc, type RpcServer } from "../../../src/server/rpc/listen.ts";
import { makeFake, tempDir, waitFor } from "./fake.ts";

let tmp: ReturnType<typeof tempDir>;
let servers: RpcServer[];
beforeEach(() => {
  tmp = tempDir();
  servers = [];
});
afterEach(async () => {
  for (const s of servers) await s.close();
  tmp.cleanup();
});

async function start(path: string) {
  const fake = makeFake();
  const server = await listenRpc(path, fake.handlers);
  servers.push(server);
  return { fake, server };
}

/** Leaves a socket file with no listener: a server killed with SIGKILL. */
async function makeStaleSocket(path: string) {
  const child = Bun.spawn(
    [process.execPath, "-e", `Bun.listen({ unix: ${JSON.stringify(path)}, socket: { data() {} } }); console.log("up");`],
    { stdout: "pipe", stderr: "inherit" },
  );
  const reader = child.stdout.getReader();
  await reader.read();
  child.kill("SIGKILL");
  await child.exited;
  expect(statSync(path).isSocket()).toBe(true);
}

describe("listenRpc socket file", () => {
  // Only the socket's owner (root) may connect.
  test("is created with mode 0600, and the umask is restored", async () => {
    const before = process.umask();
    const path = join(tmp.dir, "zinit.sock");
    await start(path);
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(process.umask()).toBe(before);
  });

  test("creates a missing parent directory", async () => {
    const path = join(tmp.dir, "a", "b", "zinit.sock");
    await start(path);
    const client = await ZinitClient.connect(path);
    expect((await client.list()).length).toBe(2);
    await client.close();
  });

  // A server killed hard leaves its file; the next server must not fail with EADDRINUSE.
  test("replaces a stale socket file", async () => {
    const path = join(tmp.dir, "zinit.sock");
    await makeStaleSocket(path);
    const client0 = ZinitClient.connect(path);
    await expect(client0).rejects.toThrow("ECONNREFUSED");
    await start(path);
    const client = await ZinitClient.connect(path);
    expect((await client.list()).map((s) => s.name)).toEqual(["web", "db"]);
    await client.close();
  });

  // Two servers on one socket would split the clients between them.
  test("refuses to take a socket a live server answers on", async () => {
    const path = join(tmp.dir, "zinit.sock");
    await start(path);
    const inode = statSync(path).ino;
    let error: unknown;
    try {
      await listenRpc(path, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ZinitError);
    expect((error as ZinitError).code).toBe("refused");
    expect((error as ZinitError).message).toBe(`another zinit server is already listening on ${path}`);
    expect(statSync(path).ino).toBe(inode);
    const client = await ZinitClient.connect(path);
    expect((await client.list()).length).toBe(2);
    await client.close();
  });

  test("refuses to replace a file that is not a socket", async () => {
    const path = join(tmp.dir, "zinit.sock");
    writeFileSync(path, "precious");
    await expect(listenRpc(path, {})).rejects.toThrow("is not a socket");
    expect(existsSync(path)).toBe(true);
  });

  test("close() stops listening, closes connections, removes the file", async () => {
    const path = join(tmp.dir, "zinit.sock");
    const { server, fake } = await start(path);
    const client = await ZinitClient.connect(path);
    const events = client.events()[Symbol.asyncIterator]();
    const first = events.next();
    await waitFor(() => fake.subscribers.size === 1, "the subscription");
    await server.close();
    expect(existsSync(path)).toBe(false);
    expect(fake.subscribers.size).toBe(0);
    await expect(first).rejects.toMatchObject({ code: "unreachable" });
    await waitFor(() => client.closed, "the client to see the close");
    await expect(client.list()).rejects.toMatchObject({ code: "unreachable" });
    await expect(ZinitClient.connect(path)).rejects.toMatchObject({ code: "unreachable" });
    await server.close(); // idempotent
  });
});
