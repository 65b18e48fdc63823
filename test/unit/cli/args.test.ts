import { describe, expect, test } from "bun:test";
import type { ArgsDef } from "citty";
import { UsageError, collectRepeated, extractGlobals, splitCommand, validateArgs } from "../../../src/cli/args.ts";

const LOGS: ArgsDef = {
  name: { type: "positional", required: false },
  lines: { type: "string", alias: "n" },
  follow: { type: "boolean", alias: "f" },
};
const CREATE: ArgsDef = {
  name: { type: "positional", required: true },
  exec: { type: "string" },
  after: { type: "string" },
  oneshot: { type: "boolean" },
};
const START: ArgsDef = {
  name: { type: "positional", required: true },
  timeout: { type: "string", default: "60" },
  wait: { type: "boolean", default: true },
};

function normalise(argv: string[], def: ArgsDef) {
  const { globals, command, rest } = splitCommand(argv);
  const tokens = extractGlobals(rest, def, globals);
  return { globals, command, tokens };
}

describe("global flags before or after the command", () => {
  test("before", () => {
    const r = normalise(["--socket", "/tmp/s", "--json", "list"], {});
    expect(r.command).toBe("list");
    expect(r.globals).toMatchObject({ socket: "/tmp/s", json: true });
    expect(r.tokens).toEqual([]);
  });

  test("after, mixed with the command's own flags, = form too", () => {
    const r = normalise(["logs", "web", "--json", "-n", "5", "--socket=/tmp/x", "-f"], LOGS);
    expect(r.command).toBe("logs");
    expect(r.globals).toMatchObject({ socket: "/tmp/x", json: true });
    expect(r.tokens).toEqual(["web", "-n", "5", "-f"]);
  });

  test("a command flag's value that looks like a global flag stays a value", () => {
    const r = normalise(["create", "x", "--exec", "--json", "--json"], CREATE);
    expect(r.tokens).toEqual(["x", "--exec", "--json"]);
    expect(r.globals.json).toBe(true);
  });

  test("after -- nothing is a global flag", () => {
    const r = normalise(["status", "--", "--json"], {});
    expect(r.tokens).toEqual(["--", "--json"]);
    expect(r.globals.json).toBe(false);
  });

  test("--config-dir and --help anywhere", () => {
    const r = normalise(["check", "--config-dir", "/etc/x", "-h"], {});
    expect(r.globals).toMatchObject({ configDir: "/etc/x", help: true });
  });

  test("no command", () => {
    expect(splitCommand(["--json"]).command).toBeUndefined();
  });

  test("a missing value and an unknown flag before the command are usage errors", () => {
    expect(() => splitCommand(["--socket"])).toThrow(UsageError);
    expect(() => splitCommand(["--frob", "list"])).toThrow("unknown option --frob");
    expect(() => splitCommand(["--socket="])).toThrow(UsageError);
  });
});

describe("validateArgs", () => {
  const ok = (tokens: string[], def: ArgsDef, variadic = false) => () => validateArgs(tokens, def, { command: "c", variadic });

  test("accepts known options, aliases, values and --no-", () => {
    expect(ok(["web", "-n", "5", "--follow"], LOGS)).not.toThrow();
    expect(ok(["--lines=5"], LOGS)).not.toThrow();
    expect(ok(["a", "b", "c", "--no-wait", "--timeout", "3"], START, true)).not.toThrow();
  });

  test("rejects unknown options, missing values, missing and extra arguments", () => {
    expect(ok(["--frob"], LOGS)).toThrow("unknown option --frob");
    expect(ok(["-n"], LOGS)).toThrow("option -n needs a value");
    expect(ok([], START, true)).toThrow("missing argument NAME");
    expect(ok(["a", "b"], LOGS)).toThrow('unexpected argument "b"');
  });

  test("the error carries the command, for its usage", () => {
    try {
      validateArgs(["--frob"], LOGS, { command: "logs" });
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).command).toBe("logs");
    }
  });
});

describe("collectRepeated", () => {
  test("every occurrence, = form and commas", () => {
    expect(collectRepeated(["x", "--after", "a", "--exec", "y", "--after=b,c", "--after", "d"], ["--after"])).toEqual(["a", "b", "c", "d"]);
  });
});
