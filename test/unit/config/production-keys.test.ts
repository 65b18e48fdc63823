/**
 * The keys env_file, stability_period_ms and [logging] file/max_size/keep: their
 * defaults, the shapes accepted, and errors that name the file, the key and what
 * was expected.
 */
import { describe, expect, test } from "bun:test";
import { effectiveConfig, parseUnit } from "../../../src/sdk/config/parse.ts";
import { errorsOf, serviceOf, svc } from "./helpers.ts";

describe("env_file", () => {
  test("absent: an empty list", () => {
    expect(serviceOf(svc()).service.env_file).toEqual([]);
  });

  test("a string or an array of absolute paths, kept as written with the optional marker", () => {
    expect(serviceOf(svc('env_file = "/etc/default/app"')).service.env_file).toEqual(["/etc/default/app"]);
    expect(serviceOf(svc('env_file = ["/etc/default/app", "-/etc/app/local.env"]')).service.env_file).toEqual([
      "/etc/default/app",
      "-/etc/app/local.env",
    ]);
    expect(serviceOf(svc("env_file = []")).service.env_file).toEqual([]);
  });

  test("relative paths, directories, NUL and wrong types are errors naming the key (and the element)", () => {
    expect(errorsOf(svc('env_file = "app.env"'))).toEqual(['web.toml: service.env_file: expected an absolute path, got "app.env"']);
    expect(errorsOf(svc('env_file = "-app.env"'))).toEqual(['web.toml: service.env_file: expected an absolute path, got "app.env"']);
    expect(errorsOf(svc('env_file = ["/ok", "/etc/", 3, "/a\\u0000b"]'))).toEqual([
      'web.toml: service.env_file.1: expected a file path, got the directory "/etc/"',
      "web.toml: service.env_file.2: expected string, got 3",
      "web.toml: service.env_file.3: must not contain a NUL character",
    ]);
    expect(errorsOf(svc("env_file = true"))).toEqual(["web.toml: service.env_file: expected an absolute path or an array of them, got true"]);
  });
});

describe("stability_period_ms", () => {
  test("defaults to 10000; any integer from 0", () => {
    expect(serviceOf(svc()).lifecycle.stability_period_ms).toBe(10_000);
    expect(serviceOf(svc("[lifecycle]\nstability_period_ms = 0")).lifecycle.stability_period_ms).toBe(0);
    expect(serviceOf(svc("[lifecycle]\nstability_period_ms = 60000")).lifecycle.stability_period_ms).toBe(60_000);
  });

  test("a negative, fractional or string value is an error", () => {
    expect(errorsOf(svc("[lifecycle]\nstability_period_ms = -1"))).toEqual([
      "web.toml: lifecycle.stability_period_ms: expected a non-negative integer, got -1",
    ]);
    expect(errorsOf(svc('[lifecycle]\nstability_period_ms = "10s"'))).toEqual([
      'web.toml: lifecycle.stability_period_ms: expected a non-negative integer, got "10s"',
    ]);
  });
});

describe("[logging] file, max_size, keep", () => {
  test("defaults: no file, 10 MiB, 5 kept", () => {
    const l = serviceOf(svc()).logging;
    expect({ file: l.file, max_size: l.max_size, keep: l.keep }).toEqual({ file: null, max_size: 10_485_760, keep: 5 });
  });

  test("set", () => {
    const l = serviceOf(svc('[logging]\nfile = "/var/log/app.log"\nmax_size = 0\nkeep = 0')).logging;
    expect({ file: l.file, max_size: l.max_size, keep: l.keep }).toEqual({ file: "/var/log/app.log", max_size: 0, keep: 0 });
  });

  test("a relative path, a directory, a bad size or keep are errors naming the key", () => {
    expect(errorsOf(svc('[logging]\nfile = "app.log"\nmax_size = -5\nkeep = 1001'))).toEqual([
      'web.toml: logging.file: expected an absolute path, got "app.log"',
      "web.toml: logging.max_size: expected a non-negative integer, got -5",
      "web.toml: logging.keep: expected an integer from 0 to 1000, got 1001",
    ]);
    expect(errorsOf(svc('[logging]\nfile = "/var/log/"'))).toEqual(['web.toml: logging.file: expected a file path, got the directory "/var/log/"']);
    expect(errorsOf(svc("[logging]\nfile = 1"))).toEqual(["web.toml: logging.file: expected an absolute path, got 1"]);
    expect(errorsOf(svc("[logging]\nmax_size = 1.5"))).toEqual(["web.toml: logging.max_size: expected a non-negative integer, got 1.5"]);
  });
});

test("status shows every new key with its default under config", () => {
  const r = parseUnit(svc(), "web.toml");
  if ("errors" in r) throw new Error("unexpected errors");
  const c = effectiveConfig(r.unit) as { service: Record<string, unknown>; lifecycle: Record<string, unknown>; logging: Record<string, unknown> };
  expect(c.service.env_file).toEqual([]);
  expect(c.lifecycle.stability_period_ms).toBe(10_000);
  expect(c.logging).toMatchObject({ file: null, max_size: 10_485_760, keep: 5 });
});
