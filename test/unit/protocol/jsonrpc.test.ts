import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import {
  failure,
  failureFromError,
  notification,
  parseMessage,
  request,
  success,
} from "../../../src/sdk/protocol/jsonrpc.ts";

describe("parseMessage", () => {
  test("a request, with or without params", () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":7,"method":"service.list"}')).toEqual({
      kind: "request",
      message: { jsonrpc: "2.0", id: 7, method: "service.list" },
    });
    expect(parseMessage('{"jsonrpc":"2.0","id":"a","method":"service.status","params":{"name":"x"}}')).toEqual({
      kind: "request",
      message: { jsonrpc: "2.0", id: "a", method: "service.status", params: { name: "x" } },
    });
  });

  test("a message without id is a notification", () => {
    expect(parseMessage('{"jsonrpc":"2.0","method":"event","params":{"name":"a"}}')).toEqual({
      kind: "notification",
      message: { jsonrpc: "2.0", method: "event", params: { name: "a" } },
    });
  });

  test("responses: success and error", () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"result":null}')).toEqual({
      kind: "response",
      message: { jsonrpc: "2.0", id: 1, result: null },
    });
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nope","data":{"x":1}}}')).toEqual({
      kind: "response",
      message: { jsonrpc: "2.0", id: 1, error: { code: -32000, message: "nope", data: { x: 1 } } },
    });
  });

  // -32700 is for text that is not JSON at all; the connection stays usable.
  test("not JSON is a parse error", () => {
    const parsed = parseMessage("{not json");
    expect(parsed.kind).toBe("parse_error");
    if (parsed.kind === "parse_error") expect(parsed.error.code).toBe(-32700);
  });

  // -32600 is for JSON that is not a JSON-RPC message; the id is kept when it can be read.
  test.each([
    ["[1,2]", null],
    ['"text"', null],
    ["42", null],
    ["null", null],
    ['{"id":3,"method":"x"}', 3],
    ['{"jsonrpc":"1.0","id":3,"method":"x"}', 3],
    ['{"jsonrpc":"2.0","id":3,"method":5}', 3],
    ['{"jsonrpc":"2.0","id":{},"method":"x"}', null],
    ['{"jsonrpc":"2.0","id":4,"method":"x","params":"str"}', 4],
    ['{"jsonrpc":"2.0","id":5}', 5],
    ['{"jsonrpc":"2.0","id":6,"result":1,"error":{"code":1,"message":"m"}}', 6],
  ])("invalid request %s", (line, id) => {
    const parsed = parseMessage(line);
    expect(parsed.kind).toBe("invalid");
    if (parsed.kind === "invalid") {
      expect(parsed.error.code).toBe(-32600);
      expect(parsed.id).toBe(id);
    }
  });
});

describe("builders", () => {
  test("success, failure, notification and request omit what is undefined", () => {
    expect(success(1, [1])).toEqual({ jsonrpc: "2.0", id: 1, result: [1] });
    expect(failure(null, -32700, "bad")).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "bad" } });
    expect("data" in failure(1, -1, "m").error).toBe(false);
    expect(failure(1, -1, "m", { a: 1 }).error.data).toEqual({ a: 1 });
    expect(notification("event", { a: 1 })).toEqual({ jsonrpc: "2.0", method: "event", params: { a: 1 } });
    expect("params" in notification("x")).toBe(false);
    expect(request(2, "m")).toEqual({ jsonrpc: "2.0", id: 2, method: "m" });
  });

  test("failureFromError keeps the ZinitError's number, message and data, and adds its name", () => {
    const err = new ZinitError("invalid_config", "web.toml: bad", { errors: ["x"] });
    expect(failureFromError(9, err)).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: { code: -32002, message: "web.toml: bad", data: { errors: ["x"], name: "invalid_config" } },
    });
    expect(failureFromError(1, new ZinitError("refused", "no")).error).toEqual({
      code: -32003,
      message: "no",
      data: { name: "refused" },
    });
  });
});
