import { describe, expect, test } from "bun:test";
import { LogRing, clampLine, cutLines, MAX_LINE_CHARS } from "../../../src/server/engine/log-ring.ts";

const line = (i: number) => ({ at: i, stream: "stdout" as const, line: `l${i}` });

describe("LogRing", () => {
  test("keeps only the newest capacity lines, oldest first", () => {
    const r = new LogRing(3);
    for (let i = 0; i < 10; i++) r.push(line(i));
    expect(r.size).toBe(3);
    expect(r.tail().map((l) => l.line)).toEqual(["l7", "l8", "l9"]);
    expect(r.tail(2).map((l) => l.line)).toEqual(["l8", "l9"]);
    expect(r.tail(0)).toEqual([]);
  });
  test("partially filled", () => {
    const r = new LogRing(5);
    r.push(line(1));
    r.push(line(2));
    expect(r.tail(10).map((l) => l.line)).toEqual(["l1", "l2"]);
  });
  test("resize keeps the newest lines", () => {
    const r = new LogRing(5);
    for (let i = 0; i < 5; i++) r.push(line(i));
    r.resize(2);
    expect(r.tail().map((l) => l.line)).toEqual(["l3", "l4"]);
    r.push(line(9));
    expect(r.tail().map((l) => l.line)).toEqual(["l4", "l9"]);
  });
  test("matches a plain array model at every fill level, through wrap-around and resizes", () => {
    for (const capacity of [1, 2, 3, 7]) {
      const r = new LogRing(capacity);
      let model: string[] = [];
      let cap = capacity;
      for (let i = 0; i < 40; i++) {
        if (i === 17) (cap = cap + 3), r.resize(cap);
        if (i === 29) (cap = Math.max(1, cap - 4)), r.resize(cap);
        r.push(line(i));
        model = [...model, `l${i}`].slice(-cap);
        expect(r.size).toBe(model.length);
        for (const n of [0, 1, model.length, model.length + 5]) {
          expect(r.tail(n).map((l) => l.line)).toEqual(n === 0 ? [] : model.slice(-n));
        }
      }
    }
  });
  test("over-long lines are cut and marked", () => {
    const cut = clampLine("x".repeat(MAX_LINE_CHARS + 10));
    expect(cut.startsWith("x".repeat(MAX_LINE_CHARS))).toBe(true);
    expect(cut.endsWith("… [cut 10 chars]")).toBe(true);
    expect(clampLine("short")).toBe("short");
  });
});

describe("cutLines", () => {
  test("a character split between the carried head and the body stays whole; long lines are cut", () => {
    const bytes = new TextEncoder().encode(`é${"x".repeat(MAX_LINE_CHARS + 3)}\nshort\n`);
    // "é" is two bytes: the head ends after the first of them.
    const lines = cutLines(bytes.subarray(0, 1), bytes.subarray(1));
    expect(lines).toEqual([`é${"x".repeat(MAX_LINE_CHARS - 1)}… [cut 4 chars]`, "short"]);
  });
});
