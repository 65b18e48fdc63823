/** Parsing /proc/PID/stat and the auxiliary vector, and summing a process group's figures. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { AT_CLKTCK, AT_PAGESZ, auxvValue, commandLine, isLive, parseProcStat, sumGroups, type ProcStat } from "../../../src/server/engine/proc-stat.ts";

// A real line (Linux 6.x, 52 fields), with a command name holding ") (" and spaces.
const LINE =
  "4242 (we) (ird name) S 1 4240 4240 0 -1 4194560 120 0 0 0 31 17 5 3 20 0 1 0 123456 9000000 850 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

describe("parseProcStat", () => {
  test("reads the fields after the last parenthesis", () => {
    expect(parseProcStat(LINE)).toEqual({
      pid: 4242,
      comm: "we) (ird name",
      state: "S",
      ppid: 1,
      pgrp: 4240,
      utime: 31,
      stime: 17,
      cutime: 5,
      cstime: 3,
      rss: 850,
    });
  });

  test("this process's own line parses, in its own group", () => {
    const st = parseProcStat(readFileSync("/proc/self/stat", "latin1"));
    expect(st).not.toBeNull();
    expect(st!.pid).toBeGreaterThan(0);
    expect(st!.rss).toBeGreaterThan(0);
    expect(isLive(st!)).toBe(true);
  });

  test("garbage and truncated lines are null", () => {
    expect(parseProcStat("")).toBeNull();
    expect(parseProcStat("12 no parens S 1 2 3")).toBeNull();
    expect(parseProcStat("12 (x) S 1 2 3")).toBeNull();
    expect(parseProcStat(LINE.replace(" 850 ", " x "))).toBeNull();
  });
});

describe("sumGroups", () => {
  const st = (pid: number, pgrp: number, state: string, rss: number, ticks: [number, number, number, number]): ProcStat => ({
    pid,
    comm: "x",
    state,
    ppid: 1,
    pgrp,
    utime: ticks[0],
    stime: ticks[1],
    cutime: ticks[2],
    cstime: ticks[3],
    rss,
  });
  const units = { pageSize: 4096, clockTicks: 100 };

  test("sums the live members of each wanted group; zombies and other groups are left out", () => {
    const all = [
      st(30, 10, "S", 100, [1, 2, 3, 4]),
      st(10, 10, "R", 50, [10, 0, 0, 0]),
      st(31, 10, "Z", 999, [500, 500, 0, 0]),
      st(20, 20, "S", 7, [0, 0, 0, 0]),
      st(40, 40, "S", 1, [1, 1, 1, 1]),
    ];
    const got = sumGroups(all, new Set([10, 20, 99]), units);
    expect(got.get(10)).toEqual({ memory_bytes: 150 * 4096, cpu_ms: 200, pids: [10, 30] });
    expect(got.get(20)).toEqual({ memory_bytes: 7 * 4096, cpu_ms: 0, pids: [20] });
    expect(got.has(40)).toBe(false); // not asked for
    expect(got.has(99)).toBe(false); // no live member
  });

  test("uses the page size and tick rate given", () => {
    const got = sumGroups([st(1, 1, "S", 2, [3, 0, 0, 0])], new Set([1]), { pageSize: 65536, clockTicks: 1024 });
    expect(got.get(1)).toEqual({ memory_bytes: 131072, cpu_ms: 3, pids: [1] });
  });
});

describe("auxvValue", () => {
  test("finds a type in little-endian 64-bit pairs and stops at AT_NULL", () => {
    const words = [6n, 4096n, 17n, 100n, 0n, 0n, 6n, 1n];
    const buf = new Uint8Array(words.length * 8);
    const view = new DataView(buf.buffer);
    words.forEach((w, i) => {
      view.setBigUint64(i * 8, w, true);
    });
    expect(auxvValue(buf, AT_PAGESZ)).toBe(4096);
    expect(auxvValue(buf, AT_CLKTCK)).toBe(100);
    expect(auxvValue(buf, 99)).toBeNull();
    expect(auxvValue(new Uint8Array(0), AT_PAGESZ)).toBeNull();
  });

  test("this process's auxv has a page size that is a power of two and a tick rate", () => {
    const auxv = readFileSync("/proc/self/auxv");
    const page = auxvValue(auxv, AT_PAGESZ)!;
    expect(page & (page - 1)).toBe(0);
    expect(page).toBeGreaterThanOrEqual(4096);
    expect(auxvValue(auxv, AT_CLKTCK)).toBeGreaterThan(0);
  });
});

test("commandLine joins NUL-separated words; an empty one is [comm]", () => {
  expect(commandLine("sleep\u0000100\u0000", "sleep")).toBe("sleep 100");
  expect(commandLine("sh\u0000-c\u0000a b\u0000", "sh")).toBe("sh -c a b");
  expect(commandLine("", "kworker/0:1")).toBe("[kworker/0:1]");
});
