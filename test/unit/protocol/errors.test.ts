/**
 * The error table is the one source of error numbers, names, descriptions and
 * exit statuses; what the server sends and what the client decodes must
 * round-trip through it, including the names that share a number.
 */
import { describe, expect, test } from "bun:test";
import {
  codeFromRpc,
  ERROR_CODES,
  ERROR_NAMES,
  errorFromWire,
  wireError,
  ZinitError,
  type ErrorCode,
} from "../../../src/sdk/errors.ts";
import { buildOpenRpcDocument } from "../../../src/sdk/protocol/openrpc.ts";

describe("the table", () => {
  // What users and scripts see: these numbers and exit statuses are a published contract.
  test("numbers and exit statuses users see are unchanged", () => {
    const seen = Object.fromEntries(ERROR_NAMES.map((n) => [n, [ERROR_CODES[n].rpc, ERROR_CODES[n].exit]]));
    expect(seen).toEqual({
      parse_error: [-32700, 1],
      invalid_request: [-32600, 1],
      method_not_found: [-32601, 1],
      invalid_params: [-32602, 2],
      internal: [-32603, 1],
      not_found: [-32000, 3],
      already_exists: [-32001, 1],
      invalid_config: [-32002, 1],
      refused: [-32003, 1],
      shutting_down: [-32004, 1],
      failed: [-32603, 1],
      usage: [-32602, 2],
      unreachable: [-32603, 4],
    });
  });

  test("every row has a description; only client-side rows are off the wire", () => {
    for (const name of ERROR_NAMES) expect(ERROR_CODES[name].description.length).toBeGreaterThan(5);
    expect(ERROR_NAMES.filter((n) => !ERROR_CODES[n].wire).sort()).toEqual(["unreachable", "usage"]);
  });

  test("ZinitError reads its number and exit status from its row", () => {
    for (const name of ERROR_NAMES) {
      const err = new ZinitError(name, "x");
      expect(err.rpcCode).toBe(ERROR_CODES[name].rpc);
      expect(err.exitCode).toBe(ERROR_CODES[name].exit);
    }
  });
});

describe("on the wire", () => {
  test("every name round-trips with its message and data", () => {
    for (const name of ERROR_NAMES) {
      const wire = wireError(name, `message of ${name}`, { detail: 1 });
      expect(wire).toEqual({ code: ERROR_CODES[name].rpc, message: `message of ${name}`, data: { detail: 1, name } });
      const back = errorFromWire(JSON.parse(JSON.stringify(wire)));
      expect(back).toBeInstanceOf(ZinitError);
      expect({ code: back.code, message: back.message, data: back.data }).toEqual({
        code: name,
        message: `message of ${name}`,
        data: { detail: 1 },
      });
    }
  });

  // The bug this table fixes: by number alone, `failed` read back as `internal`.
  test("names that share a number are told apart", () => {
    const shared = new Map<number, ErrorCode[]>();
    for (const n of ERROR_NAMES) shared.set(ERROR_CODES[n].rpc, [...(shared.get(ERROR_CODES[n].rpc) ?? []), n]);
    const groups = [...shared.values()].filter((g) => g.length > 1);
    expect(groups).toEqual([
      ["invalid_params", "usage"],
      ["internal", "failed", "unreachable"],
    ]);
    for (const group of groups) {
      for (const name of group) expect(errorFromWire(wireError(name, "m")).code).toBe(name);
    }
  });

  test("without data the wire error carries only its name; it decodes to no data", () => {
    expect(wireError("refused", "no")).toEqual({ code: -32003, message: "no", data: { name: "refused" } });
    expect(errorFromWire(wireError("refused", "no")).data).toBeUndefined();
    expect(wireError("failed", "x", "text")).toEqual({ code: -32603, message: "x", data: { value: "text", name: "failed" } });
  });

  // An older server sends no name; a newer one may send a name this client does not know.
  test("a missing or unknown name falls back to the number", () => {
    expect(errorFromWire({ code: -32000, message: "gone" })).toMatchObject({ code: "not_found", data: undefined });
    expect(errorFromWire({ code: -32003, message: "no", data: ["x"] })).toMatchObject({ code: "refused", data: ["x"] });
    const future = errorFromWire({ code: -32050, message: "new", data: { name: "rate_limited", after_ms: 5 } });
    expect(future.code).toBe("internal");
    expect(future.data).toEqual({ name: "rate_limited", after_ms: 5 });
    expect(codeFromRpc(-32602)).toBe("invalid_params");
    expect(codeFromRpc(-32603)).toBe("internal");
    expect(codeFromRpc(12345)).toBe("internal");
  });
});

describe("the OpenRPC document", () => {
  test("documents exactly the table's wire errors, with their number, description and name", () => {
    const doc = buildOpenRpcDocument("1");
    const expected = Object.fromEntries(
      ERROR_NAMES.filter((n) => ERROR_CODES[n].wire).map((n) => [
        n,
        { code: ERROR_CODES[n].rpc, message: ERROR_CODES[n].description, data: { name: n } },
      ]),
    );
    expect(doc.components.errors).toEqual(expected);
    // Each method lists the server's own errors (-32000..-32099); the standard ones apply to all.
    for (const m of doc.methods) {
      expect(m.errors.map((e) => e.$ref.split("/").at(-1))).toEqual([
        "not_found",
        "already_exists",
        "invalid_config",
        "refused",
        "shutting_down",
      ]);
    }
  });
});
