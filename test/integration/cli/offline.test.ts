/**
 * The compiled CLI without a server: check, version, usage errors, the unreachable
 * exit status, and install-links with the role dispatch through real symlinks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { lstatSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { buildOnce, run } from "./build.ts";

const GOOD = join(import.meta.dir, "scenarios", "check-good");
const BAD = join(import.meta.dir, "scenarios", "check-bad");
let tmp: string;

beforeAll(async () => {
  await buildOnce();
  tmp = mkdtempSync(join(tmpdir(), "zinit-cli-"));
}, 60_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("check", () => {
  test("a good directory: exit 0 and the summary only (dot-files and non-.toml skipped)", async () => {
    const r = await run(["check", GOOD]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("3 services, 1 targets, 0 errors, 0 cycles, 0 unknown references\n");
    expect(r.code).toBe(0);
  });

  test("a broken directory: one precise line per problem, no file hiding another", async () => {
    const r = await run(["check", BAD]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("broken.toml: TOML syntax error"))).toHaveLength(1);
    expect(lines).toContain('restart.toml: lifecycle.restart: expected "always" | "on-failure" | "never", got "sometimes"');
    expect(lines).toContain("typo.toml: service.restrat: unknown key");
    expect(lines).toContain("quote.toml: service.exec: unbalanced single quote");
    expect(lines.filter((l) => l.startsWith("oneshot-health.toml: health"))).toHaveLength(1);
    expect(lines).toContain("cycle: a -> b -> a");
    expect(lines).toContain('web requires unknown service "db"');
    expect(lines.at(-1)).toBe("4 services, 0 targets, 5 errors, 1 cycles, 1 unknown references");
    expect(lines).toHaveLength(8);
  });

  test("--json, flag before or after", async () => {
    for (const argv of [["check", BAD, "--json"], ["--json", "check", BAD]]) {
      const r = await run(argv);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.ok).toBe(false);
      expect(report.services).toBe(4);
      expect(report.targets).toBe(0);
      expect(report.errors).toHaveLength(5);
      expect(report.errors).toContainEqual({ file: "typo.toml", path: "service.restrat", message: "unknown key" });
      expect(report.cycles).toEqual(["a -> b -> a"]);
      expect(report.unknown).toEqual([{ from: "web", to: "db", type: "requires" }]);
    }
    const good = JSON.parse((await run(["check", GOOD, "--json"])).stdout);
    expect(good).toEqual({ ok: true, services: 3, targets: 1, errors: [], cycles: [], unknown: [] });
  });

  test("DIR defaults to --config-dir, then ZINIT_CONFIG_DIR", async () => {
    expect((await run(["check"], { env: { ZINIT_CONFIG_DIR: GOOD } })).code).toBe(0);
    expect((await run(["check", "--config-dir", BAD], { env: { ZINIT_CONFIG_DIR: GOOD } })).code).toBe(1);
    expect((await run(["--config-dir", GOOD, "check"], { env: { ZINIT_CONFIG_DIR: BAD } })).code).toBe(0);
  });

  test("a missing directory is an error naming it", async () => {
    const r = await run(["check", join(tmp, "nope")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`zinit: ${join(tmp, "nope")}: no such directory\n`);
  });
});

describe("version and usage", () => {
  test("version", async () => {
    const r = await run(["version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^zinit \d+\.\d+\.\d+\n$/);
  });

  test("--help starts with `usage: zinit`", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toStartWith("usage: zinit ");
  });

  test("unknown command and bad usage exit 2 with a usage", async () => {
    const a = await run(["frobnicate"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('zinit: unknown command "frobnicate"');
    expect(a.stderr).toContain("usage: zinit");
    const b = await run(["status"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("usage: zinit status NAME...");
    const c = await run(["list", "--bogus"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("unknown option --bogus");
  });
});

describe("unreachable server", () => {
  test("exit 4, the message names the socket tried (--socket, then ZINIT_SOCKET)", async () => {
    const sock = join(tmp, "no-server.sock");
    const a = await run(["list", "--socket", sock]);
    expect(a.code).toBe(4);
    expect(a.stderr).toContain(sock);
    const b = await run(["status", "web"]);
    expect(b.code).toBe(4);
    expect(b.stderr).toContain("/nonexistent/zinit-cli-test.sock");
    // A file that is not a socket.
    writeFileSync(join(tmp, "plain-file"), "");
    const c = await run(["--socket", join(tmp, "plain-file"), "start", "web"]);
    expect(c.code).toBe(4);
    expect(c.stderr).toContain(join(tmp, "plain-file"));
  });
});

describe("install-links", () => {
  test("creates the role links, and the roles answer through them", async () => {
    const dir = join(tmp, "bin");
    Bun.spawnSync(["mkdir", "-p", dir]);
    const r = await run(["install-links", dir, "--init"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const name of ["zinit-server", "zinit-pid1", "init"]) {
      expect(lstatSync(join(dir, name)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(dir, name))).toBe(ZINIT);
      expect(r.stdout).toContain(`${join(dir, name)} -> ${ZINIT}`);
    }
    const server = await run(["--help"], { exe: join(dir, "zinit-server") });
    expect(server.stdout.split("\n")[0]).toStartWith("usage: zinit-server");
    const pid1 = await run(["--help"], { exe: join(dir, "zinit-pid1") });
    expect(pid1.stdout.split("\n")[0]).toStartWith("usage: zinit-pid1");
    // `init` found through PATH: argv0 is the bare name.
    const p = Bun.spawn(["init", "--help"], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, stdout: "pipe", stderr: "pipe" });
    const initOut = await new Response(p.stdout).text();
    await p.exited;
    expect(initOut.split("\n")[0]).toStartWith("usage: zinit-pid1");
    // The CLI itself.
    expect((await run(["--help"])).stdout.split("\n")[0]).toStartWith("usage: zinit ");
  });

  test("replaces existing links; without --init, no init", async () => {
    const dir = join(tmp, "bin2");
    Bun.spawnSync(["mkdir", "-p", dir]);
    symlinkSync("/bin/true", join(dir, "zinit-server"));
    const r = await run(["install-links", dir]);
    expect(r.code).toBe(0);
    expect(readlinkSync(join(dir, "zinit-server"))).toBe(ZINIT);
    expect(readlinkSync(join(dir, "zinit-pid1"))).toBe(ZINIT);
    expect(() => lstatSync(join(dir, "init"))).toThrow();
  });

  test("a non-directory DIR and a regular file in the way are errors", async () => {
    writeFileSync(join(tmp, "file"), "");
    const a = await run(["install-links", join(tmp, "file")]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("not a directory");
    const b = await run(["install-links", join(tmp, "missing")]);
    expect(b.code).toBe(1);
    const dir = join(tmp, "bin3");
    Bun.spawnSync(["mkdir", "-p", dir]);
    writeFileSync(join(dir, "init"), "#!/bin/sh\n");
    const c = await run(["install-links", dir, "--init"]);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("is not a symlink");
    // Nothing half done.
    expect(() => lstatSync(join(dir, "zinit-server"))).toThrow();
  });

  test("the missing DIR argument is a usage error", async () => {
    expect((await run(["install-links"])).code).toBe(2);
  });
});
