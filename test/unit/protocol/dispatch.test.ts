/**
 * The dispatcher is the one place where what a handler returns or throws
 * becomes an answer. These tests drive it line by line, without a socket.
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { createDispatch, INTERNAL_ERROR_MESSAGE, type HandlerTable, type RpcConnection } from "../../../src/server/rpc/dispatch.ts";

const conn: RpcConnection = { id: 1, closed: false, notify() {}, onClose() {} };

function setup(handlers: HandlerTable, reporter?: (where: string, error: unknown) => void) {
  const reported: { where: string; error: unknown }[] = [];
  const dispatch = createDispatch({
    handlers,
    version: "1.2.3",
    onInternalError: reporter ?? ((where, error) => reported.push({ where, error })),
  });
  const call = async (method: string, params?: unknown, id: number | null = 1) => {
    const line = JSON.stringify({ jsonrpc: "2.0", ...(id === null ? {} : { id }), method, params });
    const text = await dispatch(line, conn);
    return text === null ? null : JSON.parse(text);
  };
  return { dispatch, call, reported };
}

describe("bugs in handlers", () => {
  // The answer to a bug never carries the exception: no message text, no stack.
  test("a plain Error becomes a generic -32603 and is reported with its stack", async () => {
    const { call, reported } = setup({
      "service.list": () => {
        throw new Error("cannot read /var/secret: token=abc");
      },
    });
    const answer = await call("service.list");
    expect(answer).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32603, message: INTERNAL_ERROR_MESSAGE, data: { name: "internal" } } });
    const text = JSON.stringify(answer);
    for (const leak of ["secret", "token", "abc", "at "]) expect(text).not.toContain(leak);
    expect(reported.length).toBe(1);
    expect(reported[0]!.where).toBe("service.list");
    expect((reported[0]!.error as Error).stack).toContain("cannot read /var/secret");
  });

  test("a rejected promise, a thrown string and a TypeError are bugs alike", async () => {
    const { call, reported } = setup({
      "service.status": async () => Promise.reject(new RangeError("out of range")),
      "service.start": () => {
        throw "just a string";
      },
      "service.stop": () => (undefined as unknown as { x: number }).x as never,
    });
    for (const method of ["service.status", "service.start", "service.stop"]) {
      const answer = await call(method, { name: "web" });
      expect(answer.error).toEqual({ code: -32603, message: INTERNAL_ERROR_MESSAGE, data: { name: "internal" } });
    }
    expect(reported.map((r) => r.where)).toEqual(["service.status", "service.start", "service.stop"]);
  });

  test("a result that cannot be encoded is a bug: generic -32603, reported", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { call, reported } = setup({ "system.info": () => cyclic as never });
    expect(await call("system.info")).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32603, message: INTERNAL_ERROR_MESSAGE, data: { name: "internal" } } });
    expect(reported.map((r) => r.where)).toEqual(["system.info"]);
  });

  // JSON-RPC: a notification is never answered, not even with an error; the bug is still reported.
  test("a bug in a notification is reported and not answered", async () => {
    const { call, reported } = setup({
      "service.list": () => {
        throw new Error("boom");
      },
    });
    expect(await call("service.list", undefined, null)).toBeNull();
    expect(reported.length).toBe(1);
  });

  test("a reporter that throws does not lose the answer", async () => {
    const { call } = setup(
      {
        "service.list": () => {
          throw new Error("boom");
        },
      },
      () => {
        throw new Error("the log is gone");
      },
    );
    expect((await call("service.list")).error.code).toBe(-32603);
  });
});

describe("refusals and protocol errors", () => {
  test("a ZinitError keeps its number, message and data", async () => {
    const { call, reported } = setup({
      "service.status": ({ name }) => {
        throw new ZinitError("not_found", `unknown service "${name}"`);
      },
      "service.create": () => {
        throw new ZinitError("invalid_config", "bad", { errors: ["x"] });
      },
    });
    expect((await call("service.status", { name: "nope" })).error).toMatchObject({
      code: -32000,
      message: 'unknown service "nope"',
    });
    expect((await call("service.create", { name: "a", config: "" })).error).toMatchObject({
      code: -32002,
      message: "bad",
      data: { errors: ["x"], name: "invalid_config" },
    });
    expect(reported).toEqual([]);
  });

  test("unknown and unimplemented methods get -32601, bad params -32602, before any handler runs", async () => {
    let ran = 0;
    const { call } = setup({
      "service.status": () => {
        ran++;
        throw new Error("not reached");
      },
    });
    expect((await call("service.explode")).error).toMatchObject({ code: -32601, message: "method not found: service.explode" });
    expect((await call("service.list")).error).toMatchObject({ code: -32601 });
    expect((await call("service.status", { name: 5 })).error).toMatchObject({
      code: -32602,
      message: "service.status: params.name: expected string, got number",
    });
    expect(ran).toBe(0);
  });

  test("lines that are no request: -32700, -32600, and responses are ignored", async () => {
    const { dispatch } = setup({});
    expect(JSON.parse((await dispatch("{nope", conn))!)).toMatchObject({ id: null, error: { code: -32700 } });
    expect(JSON.parse((await dispatch('{"jsonrpc":"2.0","id":4}', conn))!)).toMatchObject({ id: 4, error: { code: -32600 } });
    expect(await dispatch('{"jsonrpc":"2.0","id":4,"result":1}', conn)).toBeNull();
  });

  test("rpc.discover is built in and stamped with the version", async () => {
    const { call } = setup({});
    const answer = await call("rpc.discover");
    expect(answer.result.openrpc).toBe("1.2.6");
    expect(answer.result.info.version).toBe("1.2.3");
  });
});
