/** Role selection from the invoked name and the first argument. */
import { describe, expect, test } from "bun:test";
import { chooseRole, SELF_SPAWN_ARGV0 } from "../../src/roles.ts";

describe("chooseRole", () => {
  test("the names zinit-pid1, init and zinit-server pick their role; paths count by basename", () => {
    expect(chooseRole("/usr/bin/zinit-pid1", ["--container"])).toEqual({ role: "pid1", args: ["--container"] });
    expect(chooseRole("init", [])).toEqual({ role: "pid1", args: [] });
    expect(chooseRole("./zinit-server", ["--socket", "s"])).toEqual({ role: "server", args: ["--socket", "s"] });
  });

  test("any other name is the CLI, or the role its first argument names", () => {
    expect(chooseRole("zinit", ["list"])).toEqual({ role: "cli", args: ["list"] });
    expect(chooseRole("/opt/my-init", ["pid1", "--container"])).toEqual({ role: "pid1", args: ["--container"] });
    expect(chooseRole("zinit", ["server", "--mode", "vm"])).toEqual({ role: "server", args: ["--mode", "vm"] });
  });

  test("the argv[0] pid1 gives the server it starts picks no role itself, so `server` decides", () => {
    expect(chooseRole(SELF_SPAWN_ARGV0, ["server", "--config-dir", "d"])).toEqual({ role: "server", args: ["--config-dir", "d"] });
    expect(chooseRole(SELF_SPAWN_ARGV0, ["pid1"]).role).toBe("pid1");
  });
});
