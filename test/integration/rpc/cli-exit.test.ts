/**
 * The CLI's exit status for an error the server answers with: the error goes
 * over the socket as a number plus its name, the client decodes the name, and
 * the CLI exits with the status the error table gives that name.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { CliIo } from "../../../src/cli/context.ts";
import { runCli } from "../../../src/cli/main.ts";
import { ERROR_CODES, ERROR_NAMES, ZinitError, type ErrorCode } from "../../../src/sdk/errors.ts";
import { listenRpc, type RpcServer } from "../../../src/server/rpc/listen.ts";
import { makeFake, tempDir } from "./fake.ts";

let tmp: ReturnType<typeof tempDir>;
let server: RpcServer;
let path: string;
// What the fake's system.info throws next: a ZinitError of this name, or a plain Error (a bug).
let next: ErrorCode | "bug" = "bug";

beforeAll(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "zinit.sock");
  const fake = makeFake();
  fake.handlers["system.info"] = () => {
    if (next === "bug") throw new Error("kaboom");
    throw new ZinitError(next, `a ${next} error`);
  };
  server = await listenRpc(path, fake.handlers, { onInternalError: () => {} });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

async function zinit(...argv: string[]) {
  let stderr = "";
  const io: CliIo = {
    stdout: () => {},
    stderr: (t) => void (stderr += t),
    isTTY: false,
    env: { ZINIT_SOCKET: path },
    now: () => Date.now(),
  };
  return { code: await runCli(argv, { io, exitGuard: false }), stderr };
}

test("each error a server answers with exits with its row's status", async () => {
  for (const name of ERROR_NAMES.filter((n) => ERROR_CODES[n].wire)) {
    next = name;
    const r = await zinit("info");
    expect({ name, code: r.code, stderr: r.stderr }).toEqual({
      name,
      code: ERROR_CODES[name].exit,
      stderr: `zinit: a ${name} error\n`,
    });
  }
});

// The published statuses, spelled out: scripts rely on them.
test("not found exits 3, refused 1, bad params 2, a server bug 1 without its details", async () => {
  const status = await zinit("status", "missing");
  expect(status).toEqual({ code: 3, stderr: 'zinit: unknown service "missing"\n' });
  next = "refused";
  expect((await zinit("info")).code).toBe(1);
  next = "invalid_params";
  expect((await zinit("info")).code).toBe(2);
  next = "bug";
  expect(await zinit("info")).toEqual({ code: 1, stderr: "zinit: internal error; the zinit server's log has the details\n" });
});
