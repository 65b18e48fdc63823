/**
 * The debounce of the config watch (src/server/effects/watch.ts) on a real temp
 * directory: a burst gives one call after the quiet time; a directory that never
 * stops changing still gets a call within maxWaitMs; closing stops everything.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchConfigDirs, type ConfigWatch } from "../../../src/server/effects/watch.ts";

let dir = "";
let w: ConfigWatch | null = null;
afterEach(() => {
  w?.close();
  w = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(debounceMs: number, maxWaitMs: number) {
  dir = mkdtempSync(join(tmpdir(), "zinit-watch-unit-"));
  const calls: { at: number; why: string }[] = [];
  const warnings: string[] = [];
  w = watchConfigDirs([dir], { debounceMs, maxWaitMs, onChange: (why) => calls.push({ at: performance.now(), why }), onWarn: (m) => warnings.push(m) });
  return { calls, warnings };
}

describe("watchConfigDirs", () => {
  test("a burst of writes: one call, after the quiet time, naming what changed", async () => {
    const { calls, warnings } = setup(100, 2000);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `f${i}.toml`), "x");
    await Bun.sleep(300);
    expect(calls.length).toBe(1);
    expect(calls[0]!.at - t0).toBeGreaterThanOrEqual(100);
    expect(calls[0]!.why).toBe("f0.toml, f1.toml, f2.toml and 7 more changed");
    expect(warnings).toEqual([]);
  });

  test("changes every 30 ms for 600 ms: calls come within maxWaitMs, not only at the end", async () => {
    const { calls } = setup(100, 200);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(dir, "busy.toml"), String(i));
      await Bun.sleep(30);
    }
    const firstAfter = calls[0] ? calls[0].at - t0 : Infinity;
    expect(firstAfter).toBeLessThan(450);
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });

  test("after close, no more calls", async () => {
    const { calls } = setup(50, 1000);
    w!.close();
    writeFileSync(join(dir, "late.toml"), "x");
    await Bun.sleep(150);
    expect(calls.length).toBe(0);
  });
});
