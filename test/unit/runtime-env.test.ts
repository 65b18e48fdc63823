/** Which variables steer the runtime, and the stash that carries them across zinit's re-exec. */
import { describe, expect, test } from "bun:test";
import { envForSelf, isRuntimeSteering, STASH_VAR, stashedValues, steeringOf } from "../../src/runtime-env.ts";

describe("isRuntimeSteering", () => {
  test("BUN_OPTIONS, NODE_OPTIONS, every BUN_INSPECT* and BUN_JSC_* variable; nothing else", () => {
    for (const n of ["BUN_OPTIONS", "NODE_OPTIONS", "BUN_INSPECT", "BUN_INSPECT_CONNECT_TO", "BUN_INSPECT_NOTIFY", "BUN_JSC_useJIT"]) {
      expect({ n, steering: isRuntimeSteering(n) }).toEqual({ n, steering: true });
    }
    for (const n of ["NODE_ENV", "BUN_INSTALL", "PATH", "bun_options", "XBUN_OPTIONS", STASH_VAR]) {
      expect({ n, steering: isRuntimeSteering(n) }).toEqual({ n, steering: false });
    }
  });
});

describe("envForSelf and stashedValues", () => {
  const given = { PATH: "/bin", BUN_OPTIONS: "--preload=/x.js", BUN_INSPECT: "127.0.0.1:9229", NODE_OPTIONS: '--title="a b" é', NODE_ENV: "production" };

  test("the steering variables leave the environment and travel in the stash, to come back exactly", () => {
    const env = envForSelf(given);
    expect(Object.keys(env).sort()).toEqual(["NODE_ENV", "PATH", STASH_VAR]);
    expect(stashedValues(env)).toEqual({ BUN_OPTIONS: "--preload=/x.js", BUN_INSPECT: "127.0.0.1:9229", NODE_OPTIONS: '--title="a b" é' });
  });

  test("nothing steering, no stash; empty values do not count", () => {
    expect(envForSelf({ PATH: "/bin", BUN_OPTIONS: "" })).toEqual({ PATH: "/bin" });
    expect(steeringOf({ BUN_OPTIONS: "", BUN_INSPECT: undefined, NODE_OPTIONS: "--x" })).toEqual({ NODE_OPTIONS: "--x" });
  });

  test("an old stash is replaced by the current values, never passed on", () => {
    const env = envForSelf({ [STASH_VAR]: JSON.stringify({ BUN_OPTIONS: "old" }), BUN_OPTIONS: "new" });
    expect(stashedValues(env)).toEqual({ BUN_OPTIONS: "new" });
    expect(envForSelf({ [STASH_VAR]: "{}", PATH: "/bin" })).toEqual({ PATH: "/bin" });
  });

  test("a stash restores only steering variables, and a broken one restores nothing", () => {
    expect(stashedValues({ [STASH_VAR]: JSON.stringify({ BUN_OPTIONS: "--smol", PATH: "/evil", NODE_OPTIONS: 5 }) })).toEqual({ BUN_OPTIONS: "--smol" });
    for (const bad of ["not json", "[]", "null", '"x"', ""]) expect(stashedValues({ [STASH_VAR]: bad })).toEqual({});
    expect(stashedValues({})).toEqual({});
  });
});
