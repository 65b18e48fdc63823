import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { errorsOf, PROTO_NAMES, serviceOf, svc } from "./helpers.ts";

describe("keys are data: prototype names are unknown keys and sections like any other", () => {
  test("[constructor] with exec = 5 is an unknown section, not a pass", () => {
    expect(errorsOf(svc("[constructor]\nexec = 5"))).toEqual(["web.toml: constructor: unknown section"]);
  });

  test("every prototype name, as a section, a top-level key and a key of each section", () => {
    for (const name of PROTO_NAMES) {
      expect(errorsOf(svc(`[${name}]\nx = 1`))).toEqual([`web.toml: ${name}: unknown section`]);
      expect(errorsOf(`${name} = 1\n${svc()}`)).toEqual([`web.toml: ${name}: unknown key`]);
      expect(errorsOf(svc(`${name} = "x"`))).toEqual([`web.toml: service.${name}: unknown key`]);
      for (const section of ["dependencies", "lifecycle", "logging"]) {
        expect(errorsOf(svc(`[${section}]\n${name} = []`))).toEqual([`web.toml: ${section}.${name}: unknown key`]);
      }
      expect(errorsOf(svc(`[health]\ntype = "tcp"\ntarget = "h:1"\n${name} = {}`))).toEqual([`web.toml: health.${name}: unknown key`]);
      expect(errorsOf(`[target]\n${name} = true`, "t.toml")).toEqual([`t.toml: target.${name}: unknown key`]);
      expect(errorsOf(`[target]\n[${name}]`, "t.toml")).toEqual([
        `t.toml: ${name}: not allowed in a target file (only [target] and [dependencies])`,
      ]);
    }
  });

  test("quoted, dotted and array-of-tables spellings are caught too", () => {
    expect(errorsOf(svc('"__proto__" = { exec = "/bin/sh" }'))).toEqual(["web.toml: service.__proto__: unknown key"]);
    expect(errorsOf(svc("__proto__.polluted = true"))).toEqual(["web.toml: service.__proto__: unknown key"]);
    expect(errorsOf(svc("[[constructor]]\nx = 1"))).toEqual(["web.toml: constructor: unknown section"]);
    expect(errorsOf(svc("[lifecycle.__proto__]\nrestart = 'never'"))).toEqual(["web.toml: lifecycle.__proto__: unknown key"]);
  });

  test("a known key next to a prototype name is still checked, and both are reported", () => {
    expect(errorsOf(svc("oneshot = 'no'\nconstructor = 1"))).toEqual([
      'web.toml: service.oneshot: expected boolean, got "no"',
      "web.toml: service.constructor: unknown key",
    ]);
  });

  // env keys are variable names: any name, prototype names included, is a variable.
  test("env keys are variables, prototype names included, kept as own properties", () => {
    const env = serviceOf(svc('env = { __proto__ = "p", constructor = "c", toString = "t", A = "1" }')).service.env;
    expect(Object.keys(env)).toEqual(["__proto__", "constructor", "toString", "A"]);
    expect(Object.getOwnPropertyDescriptor(env, "__proto__")?.value).toBe("p");
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(env))).toEqual(JSON.parse('{"__proto__":"p","constructor":"c","toString":"t","A":"1"}'));
    expect(errorsOf(svc("env = { __proto__ = 1 }"))).toEqual(["web.toml: service.env.__proto__: expected string, got 1"]);
  });

  test("a unit may be named __proto__ or constructor, and depend on one", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const result = parseUnit(`[service]\nname = "${name}"\nexec = "/bin/true"\n[dependencies]\nrequires = ["prototype"]\n`, `/x/${name}.toml`);
      if ("errors" in result) throw new Error(JSON.stringify(result.errors));
      expect(result.unit.name).toBe(name);
      expect(result.unit.config.dependencies.requires).toEqual(["prototype"]);
    }
  });

  test("nothing a file says reaches Object.prototype", () => {
    parseUnit(svc('[__proto__]\npolluted = true\n[service.__proto__]\npolluted = true\n[constructor.prototype]\npolluted = true'), "web.toml");
    parseUnit(svc('env = { __proto__ = "x" }\n'), "web.toml");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});
