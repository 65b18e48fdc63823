/**
 * AfterBurst: one collection once a burst of work has passed, none for a trickle,
 * none while the burst goes on, and nothing armed while nothing happens.
 */
import { describe, expect, test } from "bun:test";
import { AfterBurst } from "../../../src/server/effects/after-burst.ts";

function counter(burstBytes = 100, quietMs = 40) {
  let collections = 0;
  const ab = new AfterBurst({ burstBytes, quietMs, collect: () => collections++ });
  return { ab, collections: () => collections };
}

describe("AfterBurst", () => {
  test("a trickle below the burst size never collects", async () => {
    const { ab, collections } = counter();
    for (let i = 0; i < 9; i++) ab.note(10);
    await Bun.sleep(120);
    expect(collections()).toBe(0);
  });

  // burst() counts as a whole burst whatever the bytes (start-up, a reload).
  test.each([
    ["150 bytes noted", (ab: AfterBurst) => ab.note(150)],
    ["burst()", (ab: AfterBurst) => ab.burst()],
  ] as const)("a burst (%s) collects once, after the quiet that follows it", async (_what, burst) => {
    const { ab, collections } = counter();
    burst(ab);
    await Bun.sleep(10);
    expect(collections()).toBe(0);
    await Bun.sleep(100);
    expect(collections()).toBe(1);
    await Bun.sleep(100);
    expect(collections()).toBe(1);
  });

  test("while the work goes on it waits; the count starts again after a collection", async () => {
    const { ab, collections } = counter();
    ab.note(150);
    for (let i = 0; i < 6; i++) {
      await Bun.sleep(15);
      ab.note(1);
    }
    // 90 ms of activity with a 40 ms quiet time: not yet
    expect(collections()).toBe(0);
    await Bun.sleep(150);
    expect(collections()).toBe(1);
    ab.note(50);
    await Bun.sleep(120);
    expect(collections()).toBe(1);
  });
});
