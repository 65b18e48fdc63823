import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { errorsOf, targetOf } from "./helpers.ts";

describe("target files", () => {
  test("a target with its name and requirements, defaults filled", () => {
    expect(targetOf('[target]\nname = "multi-user"\n[dependencies]\nrequires = ["network", "logger"]')).toEqual({
      target: { name: "multi-user", status: "start", class: "user" },
      dependencies: { requires: ["network", "logger"], after: [], wants: [], conflicts: [] },
    });
  });

  test("an empty [target] section is enough: the name is the file stem", () => {
    const result = parseUnit("[target]\n", "/etc/zinit/services/multi-user.toml");
    expect(result).toEqual({
      unit: {
        kind: "target",
        name: "multi-user",
        file: "/etc/zinit/services/multi-user.toml",
        config: {
          target: { name: "multi-user", status: "start", class: "user" },
          dependencies: { requires: [], after: [], wants: [], conflicts: [] },
        },
      },
    });
  });

  test("status and class", () => {
    expect(targetOf('[target]\nstatus = "stop"\nclass = "system"').target).toEqual({
      name: "multi-user",
      status: "stop",
      class: "system",
    });
  });

  test("a service section in a target file is not allowed", () => {
    expect(errorsOf("[target]\n[lifecycle]\nrestart = 'never'\n[logging]", "t.toml")).toEqual([
      "t.toml: lifecycle: not allowed in a target file (only [target] and [dependencies])",
      "t.toml: logging: not allowed in a target file (only [target] and [dependencies])",
    ]);
  });

  test("service keys inside [target] are unknown keys", () => {
    expect(errorsOf("[target]\nexec = '/bin/true'\noneshot = true", "t.toml")).toEqual([
      "t.toml: target.exec: unknown key",
      "t.toml: target.oneshot: unknown key",
    ]);
  });

  test("target.name must equal the stem; values are checked like a service's", () => {
    expect(errorsOf("[target]\nname = 'other'\nstatus = 'on'\n[dependencies]\nrequires = ['t', 'a b']", "t.toml")).toEqual([
      't.toml: target.status: expected "start" | "stop" | "ignore", got "on"',
      't.toml: dependencies.requires.1: may contain only ASCII letters, digits and "_.@-", got "a b"',
      't.toml: target.name: must equal the file name "t", got "other"',
      "t.toml: dependencies.requires.0: a unit cannot require itself",
    ]);
  });

  test("[target] must be a table", () => {
    expect(errorsOf("target = 'multi'", "t.toml")).toEqual(['t.toml: target: expected table, got "multi"']);
  });
});
