/**
 * The instance lock in-process: flock locks belong to an open file description, so
 * a second open of the same file in this very process conflicts like a second
 * server would. The locks taken here stay held until the test process ends.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flockHolder, lockInstance } from "../../../src/server/effects/instance-lock.ts";
import { ZinitError } from "../../../src/sdk/errors.ts";

const root = mkdtempSync(join(tmpdir(), "zinit-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fresh(name: string): { socket: string; dir: string } {
  const base = join(root, name);
  mkdirSync(join(base, "services"), { recursive: true });
  return { socket: join(base, "run", "zinit.sock"), dir: join(base, "services") };
}

function refusal(fn: () => unknown): ZinitError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ZinitError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("lockInstance", () => {
  test("takes both locks, creates the socket's directory and a 0600 lock file holding our pid", () => {
    const { socket, dir } = fresh("a");
    const lock = lockInstance(socket, dir);
    expect(lock).toEqual({ lockFile: `${socket}.lock`, configDir: dir, warnings: [] });
    expect(readFileSync(`${socket}.lock`, "utf8")).toBe(`${process.pid}\n`);
    expect(statSync(`${socket}.lock`).mode & 0o777).toBe(0o600);
  });

  test("a second lock on the same socket is refused and names this process as the holder", () => {
    const { socket, dir } = fresh("b");
    lockInstance(socket, dir);
    const err = refusal(() => lockInstance(socket, fresh("b2").dir));
    expect(err.code).toBe("refused");
    expect(err.message).toBe(`another zinit server already serves ${socket} (lock ${socket}.lock held by pid ${process.pid})`);
  });

  test("a second lock on the same directory through another socket is refused", () => {
    const { socket, dir } = fresh("c");
    lockInstance(socket, dir);
    const err = refusal(() => lockInstance(join(root, "c", "other.sock"), dir));
    expect(err.message).toBe(`another zinit server already supervises ${dir} (the directory is locked by pid ${process.pid})`);
  });

  test("a missing config directory is skipped without a warning", () => {
    const { socket } = fresh("d");
    expect(lockInstance(socket, join(root, "d", "absent"))).toEqual({ lockFile: `${socket}.lock`, configDir: null, warnings: [] });
  });
});

describe("flockHolder", () => {
  // st_dev 0xfe00 is device fe:00 (major 254, minor 0).
  const text = [
    "1: POSIX  ADVISORY  WRITE 900 fe:00:42 0 EOF",
    "2: FLOCK  ADVISORY  WRITE 1234 fe:00:42 0 EOF",
    "2: -> FLOCK  ADVISORY  WRITE 5678 fe:00:42 0 EOF",
    "3: FLOCK  ADVISORY  WRITE 77 08:01:42 0 EOF",
    "",
  ].join("\n");

  test("finds the FLOCK on device and inode, not a POSIX lock or a waiter", () => {
    expect(flockHolder(text, 0xfe00n, 42n)).toBe(1234);
    expect(flockHolder(text, 0x0801n, 42n)).toBe(77);
  });

  test("decodes a large device number the way the kernel prints it", () => {
    // major 259, minor 300: st_dev = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
    const dev = BigInt((300 & 0xff) | (259 << 8) | ((300 & ~0xff) << 12));
    expect(flockHolder("4: FLOCK  ADVISORY  WRITE 9 103:12c:5 0 EOF", dev, 5n)).toBe(9);
  });

  test("a lone lock on the inode matches when the device differs (overlayfs); two do not", () => {
    expect(flockHolder("1: FLOCK  ADVISORY  WRITE 31 00:2a:7 0 EOF", 0xfe00n, 7n)).toBe(31);
    expect(flockHolder("1: FLOCK  ADVISORY  WRITE 31 00:2a:7 0 EOF\n2: FLOCK  ADVISORY  WRITE 32 00:2b:7 0 EOF", 0xfe00n, 7n)).toBeNull();
  });

  test("null when the inode is not listed (its holder is in a PID namespace we cannot see)", () => {
    expect(flockHolder(text, 0xfe00n, 43n)).toBeNull();
    expect(flockHolder("", 0xfe00n, 42n)).toBeNull();
  });
});
