/**
 * shareAlikeSections: equal sections of the server's units become one shared,
 * frozen object; different ones stay apart, and no unit's values change.
 */
import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import type { ServiceConfig, Unit } from "../../../src/sdk/config/types.ts";
import { shareAlikeSections } from "../../../src/server/shared-tables.ts";

function unit(name: string, toml: string): Unit {
  const r = parseUnit(toml, `${name}.toml`);
  if ("errors" in r) throw new Error(JSON.stringify(r.errors));
  return r.unit;
}
const config = (u: Unit) => u.config as ServiceConfig;

describe("shareAlikeSections", () => {
  test("services written alike share their default sections; their own service sections stay apart", () => {
    const [a, b] = shareAlikeSections([unit("a", '[service]\nexec = "sleep 1"\n'), unit("b", '[service]\nexec = "sleep 2"\n')]);
    for (const section of ["dependencies", "lifecycle", "logging"] as const) expect(config(a!)[section]).toBe(config(b!)[section]);
    expect(config(a!).service.env).toBe(config(b!).service.env);
    expect(config(a!).service.env_file).toBe(config(b!).service.env_file);
    expect(config(a!).service).not.toBe(config(b!).service);
    expect(config(a!).service.name).toBe("a");
    expect(config(b!).service.exec).toEqual(["sleep", "2"]);
  });

  test("a section that differs is its own; the others are still shared", () => {
    const [plain, never, needs] = shareAlikeSections([
      unit("plain", '[service]\nexec = "x"\n'),
      unit("never", '[service]\nexec = "x"\n[lifecycle]\nrestart = "never"\n'),
      unit("needs", '[service]\nexec = "x"\nenv = { A = "1" }\n[dependencies]\nrequires = ["plain"]\n'),
    ]);
    expect(config(never!).lifecycle).not.toBe(config(plain!).lifecycle);
    expect(config(never!).lifecycle.restart).toBe("never");
    expect(config(plain!).lifecycle.restart).toBe("always");
    expect(config(never!).logging).toBe(config(plain!).logging);
    expect(config(needs!).dependencies).not.toBe(config(plain!).dependencies);
    expect(config(needs!).dependencies.requires).toEqual(["plain"]);
    expect(config(plain!).dependencies.requires).toEqual([]);
    expect(config(needs!).service.env).toEqual({ A: "1" });
    expect(config(plain!).service.env).toEqual({});
  });

  test("the values are those parseUnit gave, and a shared section cannot be written to", () => {
    const text = '[service]\nexec = "sleep 3"\n[dependencies]\nafter = ["x"]\n';
    const fresh = unit("c", text);
    const [shared] = shareAlikeSections([unit("c", text)]);
    expect(shared).toEqual(fresh);
    // The first of its kind is kept (frozen) for the next alike.
    const [again] = shareAlikeSections([unit("d", text.replace("sleep 3", "sleep 4"))]);
    const deps = config(again!).dependencies;
    expect(deps).toBe(config(shared!).dependencies);
    expect(Object.isFrozen(deps)).toBe(true);
    expect(() => {
      (deps.after as string[]).push("y");
    }).toThrow(TypeError);
    expect(config(shared!).dependencies.after).toEqual(["x"]);
  });
});
