import { describe, expect, test } from "bun:test";
import { METHOD_NAMES, METHOD_TABLE, validateParams } from "../../../src/sdk/protocol/methods.ts";

describe("validateParams", () => {
  // The message names the method and the param, so a CLI can print it as is.
  test("a missing required param", () => {
    expect(validateParams("service.status", {})).toEqual({
      ok: false,
      message: "service.status: params.name: expected string",
    });
    expect(validateParams("service.status", undefined)).toEqual({
      ok: false,
      message: "service.status: params.name: expected string",
    });
  });

  test("a param of the wrong type", () => {
    expect(validateParams("service.status", { name: 5 })).toEqual({
      ok: false,
      message: "service.status: params.name: expected string, got number",
    });
    expect(validateParams("service.logs", { follow: "yes" })).toEqual({
      ok: false,
      message: "service.logs: params.follow: expected boolean, got string",
    });
    expect(validateParams("service.create", { name: "a" })).toEqual({
      ok: false,
      message: "service.create: params.config: expected string",
    });
  });

  test("a value of the right type but out of range", () => {
    expect(validateParams("service.status", { name: "" })).toEqual({
      ok: false,
      message: "service.status: params.name: expected a non-empty string",
    });
    const neg = validateParams("service.logs", { lines: -1 });
    expect(neg.ok).toBe(false);
    if (!neg.ok) expect(neg.message).toStartWith("service.logs: params.lines: expected a non-negative integer");
    const frac = validateParams("service.logs", { lines: 1.5 });
    expect(frac.ok).toBe(false);
  });

  // Signals are names with or without SIG, or numbers.
  test("signal accepts a string or a number, nothing else", () => {
    expect(validateParams("service.kill", { name: "a", signal: "TERM" })).toEqual({
      ok: true,
      value: { name: "a", signal: "TERM" },
    });
    expect(validateParams("service.kill", { name: "a", signal: 9 })).toEqual({ ok: true, value: { name: "a", signal: 9 } });
    expect(validateParams("service.kill", { name: "a" })).toEqual({ ok: true, value: { name: "a" } });
    expect(validateParams("service.kill", { name: "a", signal: true })).toEqual({
      ok: false,
      message: "service.kill: params.signal: expected string or number, got boolean",
    });
    expect(validateParams("service.kill", { name: "a", signal: 0 }).ok).toBe(false);
  });

  test("params must be an object or absent", () => {
    expect(validateParams("service.list", undefined)).toEqual({ ok: true, value: {} });
    expect(validateParams("service.list", null)).toEqual({ ok: true, value: {} });
    expect(validateParams("service.list", ["a"])).toEqual({
      ok: false,
      message: "service.list: params: expected an object of named params, got array",
    });
    expect(validateParams("service.status", ["web"]).ok).toBe(false);
  });

  // An older server must still serve a newer client that adds an optional param.
  test("unknown keys are dropped", () => {
    expect(validateParams("service.status", { name: "web", extra: 1 })).toEqual({ ok: true, value: { name: "web" } });
  });
});

describe("METHOD_TABLE", () => {
  test("has the 22 methods of the protocol, each named after its key", () => {
    expect(METHOD_NAMES.length).toBe(22);
    for (const name of METHOD_NAMES) expect(METHOD_TABLE[name].name).toBe(name);
  });

  // The JSON Schema of every param must agree with what validation accepts.
  test("documented required flags match validation", () => {
    for (const name of METHOD_NAMES) {
      const params = METHOD_TABLE[name].params;
      const required = Object.entries(params).filter(([, p]) => p.required);
      const sample: Record<string, unknown> = {};
      for (const [key, p] of required) sample[key] = p.schema.type === "string" ? "x" : 1;
      expect(validateParams(name, sample).ok).toBe(true);
      for (const [key] of required) {
        const without = { ...sample };
        delete without[key];
        expect(validateParams(name, without).ok).toBe(false);
      }
    }
  });
});
