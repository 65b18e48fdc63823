/**
 * The [resources] section: sizes with K/M/G/T suffixes to bytes, the CPU share as a
 * percentage of one CPU, weight and pids bounds, and errors that name the file,
 * the key and what was expected.
 */
import { describe, expect, test } from "bun:test";
import { effectiveConfig, parseUnit } from "../../../src/sdk/config/parse.ts";
import { formatBytes, hasLimits } from "../../../src/sdk/config/resources.ts";
import { errorsOf, serviceOf, svc } from "./helpers.ts";

const res = (body: string) => svc(`[resources]\n${body}`);

describe("[resources]", () => {
  test("absent: null; empty: every limit null and no limit asked for", () => {
    expect(serviceOf(svc()).resources).toBeNull();
    const empty = serviceOf(res("")).resources;
    expect(empty).toEqual({ memory_max: null, memory_high: null, cpu_max: null, cpu_weight: null, pids_max: null });
    expect(hasLimits(empty)).toBe(false);
    expect(hasLimits(null)).toBe(false);
  });

  test("every key, normalised: sizes in bytes (powers of 1024), the CPU share in percent", () => {
    const r = serviceOf(res('memory_max = "256M"\nmemory_high = "200m"\ncpu_max = "50%"\ncpu_weight = 100\npids_max = 512')).resources;
    expect(r).toEqual({ memory_max: 256 * 2 ** 20, memory_high: 200 * 2 ** 20, cpu_max: 50, cpu_weight: 100, pids_max: 512 });
    expect(hasLimits(r)).toBe(true);
    expect(serviceOf(res("memory_max = 1048576")).resources?.memory_max).toBe(1_048_576);
    expect(serviceOf(res('memory_max = "1G"')).resources?.memory_max).toBe(2 ** 30);
    expect(serviceOf(res('memory_max = "2T"')).resources?.memory_max).toBe(2 * 2 ** 40);
    expect(serviceOf(res('memory_max = "64K"')).resources?.memory_max).toBe(65_536);
    expect(serviceOf(res('cpu_max = "200%"')).resources?.cpu_max).toBe(200);
    expect(serviceOf(res('cpu_max = "12.5%"')).resources?.cpu_max).toBe(12.5);
  });

  test("status shows the section as normalised", () => {
    const r = parseUnit(res('memory_max = "32M"'), "web.toml");
    if ("errors" in r) throw new Error("expected a unit");
    expect(effectiveConfig(r.unit).resources).toMatchObject({ memory_max: 32 * 2 ** 20, cpu_max: null });
  });

  test("bad sizes, shares, weights and counts name the file and key and say what is expected", () => {
    expect(errorsOf(res('memory_max = "256MB"'))).toEqual([
      'web.toml: resources.memory_max: expected a size in bytes or with a K, M, G or T suffix (like "256M"), got "256MB"',
    ]);
    expect(errorsOf(res("memory_max = -5"))).toEqual(["web.toml: resources.memory_max: expected at least 4K (one page), got -5"]);
    expect(errorsOf(res("memory_max = 1.5"))).toEqual([
      'web.toml: resources.memory_max: expected a size in bytes or with a K, M, G or T suffix (like "256M"), got 1.5',
    ]);
    expect(errorsOf(res("memory_high = 100"))).toEqual(["web.toml: resources.memory_high: expected at least 4K (one page), got 100"]);
    expect(errorsOf(res("cpu_max = 50"))).toEqual([
      'web.toml: resources.cpu_max: expected a share of one CPU like "50%" ("200%" = two CPUs), got 50',
    ]);
    expect(errorsOf(res('cpu_max = "0.5%"'))).toEqual(['web.toml: resources.cpu_max: expected from 1% to 102400%, got "0.5%"']);
    expect(errorsOf(res("cpu_weight = 0"))).toEqual(["web.toml: resources.cpu_weight: expected an integer from 1 to 10000, got 0"]);
    expect(errorsOf(res("cpu_weight = 10001"))).toEqual(["web.toml: resources.cpu_weight: expected an integer from 1 to 10000, got 10001"]);
    expect(errorsOf(res('pids_max = "16"'))).toEqual(['web.toml: resources.pids_max: expected an integer from 1 to 2147483647, got "16"']);
    expect(errorsOf(res("swap_max = 1"))).toEqual(["web.toml: resources.swap_max: unknown key"]);
  });

  test("memory_high above memory_max is an error on memory_high, naming both", () => {
    expect(errorsOf(res('memory_max = "100M"\nmemory_high = "200M"'))).toEqual([
      "web.toml: resources.memory_high: memory_high (200M) must not be above memory_max (100M)",
    ]);
    expect(serviceOf(res('memory_max = "100M"\nmemory_high = "100M"')).resources?.memory_high).toBe(100 * 2 ** 20);
  });
});

describe("formatBytes", () => {
  test("the largest unit that divides exactly", () => {
    expect(formatBytes(256 * 2 ** 20)).toBe("256M");
    expect(formatBytes(2 ** 30)).toBe("1G");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1536M");
    expect(formatBytes(65_536)).toBe("64K");
    expect(formatBytes(5000)).toBe("5000");
  });
});
