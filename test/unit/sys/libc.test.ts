import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeWaitStatus,
  errnoName,
  getPeerCred,
  getpgid,
  getuid,
  kill,
  killAll,
  killGroup,
  SyscallError,
  umount2,
  waitpidNoHang,
} from "../../../src/sys/libc.ts";

const FIXTURES = join(import.meta.dir, "..", "..", "fixtures");
// Above PID_MAX_LIMIT (2^22), so no process can have it.
const UNUSED_PID = 4_194_305;

async function runJson(cmd: string[]): Promise<any> {
  const p = Bun.spawn(cmd, { stdio: ["ignore", "pipe", "inherit"], timeout: 10_000, killSignal: "SIGKILL" });
  const out = await p.stdout.text();
  expect(await p.exited).toBe(0);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("decodeWaitStatus", () => {
  // Raw statuses as the kernel encodes them: exit code in bits 8-15, signal in bits 0-6.
  test("normal exits give the code and no signal", () => {
    expect(decodeWaitStatus(0)).toEqual({ code: 0, signal: null });
    expect(decodeWaitStatus(42 << 8)).toEqual({ code: 42, signal: null });
    expect(decodeWaitStatus(255 << 8)).toEqual({ code: 255, signal: null });
  });

  test("deaths by signal give the signal and no code, core dump or not", () => {
    expect(decodeWaitStatus(9)).toEqual({ code: null, signal: 9 });
    expect(decodeWaitStatus(15)).toEqual({ code: null, signal: 15 });
    expect(decodeWaitStatus(0x80 | 11)).toEqual({ code: null, signal: 11 });
  });

  test("stop and continue reports are neither an exit nor a death", () => {
    expect(decodeWaitStatus((19 << 8) | 0x7f)).toEqual({ code: null, signal: null });
    expect(decodeWaitStatus(0xffff)).toEqual({ code: null, signal: null });
  });
});

describe("identity and signals", () => {
  test("getuid() agrees with process.getuid()", () => {
    expect(getuid()).toBe(process.getuid!());
  });

  test("kill(own pid, 0) is true; a pid nobody can have gives false, not an error", () => {
    expect(kill(process.pid, 0)).toBe(true);
    expect(kill(UNUSED_PID, 0)).toBe(false);
    expect(killGroup(UNUSED_PID, 0)).toBe(false);
  });

  test("signal names resolve like numbers", () => {
    expect(kill(process.pid, "SIGCONT")).toBe(true);
    expect(() => kill(process.pid, "SIGNOPE" as NodeJS.Signals)).toThrow(RangeError);
  });

  test("group and broadcast targets are refused where a slip would hit our group or the host", () => {
    expect(() => kill(0, 0)).toThrow(RangeError);
    expect(() => kill(-1, 0)).toThrow(RangeError);
    expect(() => killGroup(0, 0)).toThrow(RangeError);
    expect(() => killGroup(1, 0)).toThrow(RangeError);
    if (process.pid !== 1) expect(() => killAll(0)).toThrow(/not PID 1/);
  });

  test("getpgid matches the group the kernel reports in /proc/self/stat", () => {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    expect(getpgid(process.pid)).toBe(pgrp);
    expect(getpgid(0)).toBe(pgrp);
  });

  test("getpeercred names this very process across a unix socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-cred-"));
    const path = join(dir, "s");
    const cred = Promise.withResolvers<{ pid: number; uid: number; gid: number }>();
    const server = Bun.listen({
      unix: path,
      socket: {
        open(s) {
          try {
            cred.resolve(getPeerCred((s as unknown as { fd: number }).fd));
          } catch (e) {
            cred.reject(e);
          }
        },
        data() {},
      },
    });
    const client = await Bun.connect({ unix: path, socket: { data() {} } });
    try {
      expect(await cred.promise).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    } finally {
      client.end();
      server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("processes and sessions", () => {
  test("waitpidNoHang on a process that is not our child is null (ECHILD), not an error", () => {
    expect(waitpidNoHang(1)).toBeNull();
  });

  test("setChildSubreaper turns the flag on (in a subprocess, not the test runner)", async () => {
    expect(await runJson([process.execPath, join(FIXTURES, "set-subreaper.ts")])).toEqual({
      before: false,
      after: true,
    });
  });

  test("setsid makes a new session led by the caller; a second call is EPERM", async () => {
    const r = await runJson([process.execPath, join(FIXTURES, "new-session.ts")]);
    expect(r.sid).toBe(r.pid);
    expect(r.pgid).toBe(r.pid);
    expect(r.second).toBe("EPERM");
  });
});

describe("errors", () => {
  test("a failing call throws SyscallError with syscall, errno, name and message", () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-umount-"));
    try {
      let err: unknown;
      try {
        umount2(dir);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SyscallError);
      const e = err as SyscallError;
      expect(e.syscall).toBe("umount2");
      expect(e.errno).toBe(22);
      expect(e.code).toBe("EINVAL");
      expect(e.message).toBe(`umount2 ${dir}: EINVAL (Invalid argument)`);
    } finally {
      rmdirSync(dir);
    }
  });

  test("getpgid of a missing process is ESRCH", () => {
    expect(() => getpgid(UNUSED_PID)).toThrow(expect.objectContaining({ code: "ESRCH", syscall: "getpgid" }));
  });

  test("errno names come from the runtime's table, with a fallback", () => {
    expect(errnoName(10)).toBe("ECHILD");
    expect(errnoName(9999)).toBe("E9999");
  });

  test.skipIf(process.getuid!() !== 0)("mount and umount2 a tmpfs in a private mount namespace", async () => {
    const r = await runJson([
      "unshare",
      "--mount",
      "--propagation",
      "private",
      process.execPath,
      join(FIXTURES, "mount-tmpfs.ts"),
    ]);
    expect(r).toEqual({ afterMount: true, afterUmount: false, missing: { syscall: "mount", code: "ENOENT" } });
  });
});
