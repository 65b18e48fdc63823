import { describe, expect, test } from "bun:test";
import { effectiveConfig, parseService, parseUnit } from "../../../src/sdk/config/parse.ts";
import { ZinitError } from "../../../src/sdk/errors.ts";
import type { Unit } from "../../../src/sdk/config/types.ts";

function unit(text: string, file: string): Unit {
  const result = parseUnit(text, file);
  if ("errors" in result) throw new Error(JSON.stringify(result.errors));
  return result.unit;
}

describe("parseService (SDK)", () => {
  test("the given name plays the file stem", () => {
    const u = parseService('[service]\nexec = "/bin/app --x"', "app");
    expect(u).toMatchObject({ kind: "service", name: "app", file: "app.toml" });
    expect(u.kind === "service" && u.config.service.exec).toEqual(["/bin/app", "--x"]);
  });

  test("without a name, the file's own name key names the unit", () => {
    expect(parseService('[service]\nname = "app"\nexec = "/bin/app"')).toMatchObject({ name: "app", file: "app.toml" });
  });

  test("without any name it is an invalid_config error", () => {
    expect(() => parseService('[service]\nexec = "/bin/app"')).toThrow(
      "<inline>.toml: service.name: missing required key (there is no file name to take it from)",
    );
  });

  test("throws ZinitError invalid_config listing every issue, one per line, and in data.issues", () => {
    try {
      parseService('[service]\nexec = ""\nstatus = "up"', "app");
      throw new Error("did not throw");
    } catch (e) {
      expect(e).toBeInstanceOf(ZinitError);
      const err = e as ZinitError;
      expect(err.code).toBe("invalid_config");
      expect(err.message).toBe(
        'app.toml: service.exec: must not be empty\napp.toml: service.status: expected "start" | "stop" | "ignore", got "up"',
      );
      expect(err.data).toEqual({
        issues: [
          { file: "app.toml", path: "service.exec", message: "must not be empty" },
          { file: "app.toml", path: "service.status", message: 'expected "start" | "stop" | "ignore", got "up"' },
        ],
      });
    }
  });

  test("a name that does not match the file's name key is refused", () => {
    expect(() => parseService('[service]\nname = "b"\nexec = "x"', "a")).toThrow(
      'a.toml: service.name: must equal the file name "a", got "b"',
    );
  });
});

describe("effectiveConfig", () => {
  test("a service: the config as is, without the derived health argv", () => {
    const u = unit('[service]\nexec = "/bin/x"\n[health]\ntype = "exec"\ntarget = "/bin/check -q"', "x.toml");
    const eff = effectiveConfig(u);
    expect(eff.health).toEqual({ type: "exec", target: "/bin/check -q", interval_ms: 10_000, timeout_ms: 5_000, retries: 3 });
    expect(eff.service).toEqual(u.kind === "service" ? u.config.service : null);
    expect(Object.keys(eff)).toEqual(["service", "dependencies", "lifecycle", "health", "logging", "resources"]);
    // the unit itself keeps its argv
    expect(u.kind === "service" && u.config.health?.argv).toEqual(["/bin/check", "-q"]);
  });

  test("a service without health reports health as null", () => {
    expect(effectiveConfig(unit('[service]\nexec = "/bin/x"', "x.toml")).health).toBeNull();
  });

  test("a target: its TargetConfig", () => {
    expect(effectiveConfig(unit("[target]\n[dependencies]\nwants = ['a']", "t.toml"))).toEqual({
      target: { name: "t", status: "start", class: "user" },
      dependencies: { requires: [], after: [], wants: ["a"], conflicts: [] },
    });
  });
});
