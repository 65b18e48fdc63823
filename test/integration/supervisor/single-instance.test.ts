/**
 * One server per socket and per config directory. A second `zinit server` on the
 * same socket path or the same config directory must refuse with status 1 before
 * it starts anything, and must not disturb the first: not while the socket
 * answers, not after the socket file was deleted under the first server, and not
 * from another PID namespace. Every service here appends a line to a file when it
 * starts, so "started nothing" is counted, not assumed.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { startServer, waitFor, writeServices, type TestServer } from "../../helpers/server.ts";
import { asRoot, nsPidOf, serverOf, service as pid1Service, withPid1 } from "../pid1/lib.ts";
import { service } from "./lib.ts";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "zinit-single-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** A service that records each start in `file`, then runs until stopped. */
function counted(file: string): string {
  return service(`echo started >> ${file}; exec sleep 100000`);
}

function starts(file: string): number {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
}

/** Runs a server to its end (bounded): status and everything it printed. */
async function runToEnd(args: string[], timeoutMs = 5000): Promise<{ code: number | null; output: string }> {
  const p = Bun.spawn([ZINIT, "server", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const out = Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]).then((t) => t.join(""));
  const code = await Promise.race([p.exited, Bun.sleep(timeoutMs).then(() => null)]);
  if (code === null) {
    // It did not refuse: stop it the ordered way so that its services go too.
    p.kill("SIGTERM");
    await p.exited;
  }
  return { code, output: await out };
}

/** The first server keeps its one run of `svc`: same pid, still running, one start recorded. */
async function expectUndisturbed(first: TestServer, pid: number, file: string): Promise<void> {
  expect(first.proc.exitCode).toBeNull();
  const st = await first.rpc("service.status", { name: "svc" }).catch(() => null);
  if (st) expect({ state: st.state, pid: st.pid }).toEqual({ state: "running", pid });
  expect(() => process.kill(pid, 0)).not.toThrow();
  expect(starts(file)).toBe(1);
}

describe("one server per socket and config directory", () => {
  test("a second server on the same socket and directory refuses, starts nothing, and leaves the first alone", async () => {
    const file = join(scratch, "starts");
    const first = await startServer({ svc: counted(file) });
    try {
      const { pid } = await waitFor("svc running", async () => {
        const s = await first.rpc("service.status", { name: "svc" });
        return s.state === "running" && s;
      });
      const second = await runToEnd(["--config-dir", first.configDir, "--socket", first.socket]);
      expect(second.code).toBe(1);
      expect(second.output).toContain(`another zinit server already serves ${first.socket}`);
      // It names the lock and the holder: the first server's pid.
      expect(second.output).toContain(`lock ${first.socket}.lock held by pid ${first.proc.pid}`);
      expect(second.output).not.toContain("svc:");
      await Bun.sleep(200);
      await expectUndisturbed(first, pid, file);
      // The lock file holds the pid of the server that owns it.
      expect(readFileSync(`${first.socket}.lock`, "utf8").trim()).toBe(String(first.proc.pid));
      // The server holds both locked fds; the service inherited neither (only 0, 1, 2).
      // (an fd may close between the listing and its readlink: the server reads /proc and files)
      const fdTargets = (p: number) =>
        readdirSync(`/proc/${p}/fd`).flatMap((fd) => {
          try {
            return [readlinkSync(`/proc/${p}/fd/${fd}`)];
          } catch {
            return [];
          }
        });
      expect(fdTargets(first.proc.pid)).toEqual(expect.arrayContaining([`${first.socket}.lock`, first.configDir]));
      expect(readdirSync(`/proc/${pid}/fd`).sort()).toEqual(["0", "1", "2"]);
    } finally {
      await first.stop();
    }
  });

  test("deleting the socket file does not let a second server in", async () => {
    const file = join(scratch, "starts");
    const first = await startServer({ svc: counted(file) });
    try {
      const { pid } = await waitFor("svc running", async () => {
        const s = await first.rpc("service.status", { name: "svc" });
        return s.state === "running" && s;
      });
      unlinkSync(first.socket);
      const second = await runToEnd(["--config-dir", first.configDir, "--socket", first.socket]);
      expect(second.code).toBe(1);
      expect(second.output).toContain(`another zinit server already serves ${first.socket}`);
      await Bun.sleep(200);
      await expectUndisturbed(first, pid, file);
      // Nobody took the path over.
      expect(existsSync(first.socket)).toBe(false);
    } finally {
      await first.stop();
    }
  });

  test("the same config directory behind another socket is refused", async () => {
    const file = join(scratch, "starts");
    const first = await startServer({ svc: counted(file) });
    try {
      const { pid } = await waitFor("svc running", async () => {
        const s = await first.rpc("service.status", { name: "svc" });
        return s.state === "running" && s;
      });
      const other = join(scratch, "other.sock");
      const second = await runToEnd(["--config-dir", first.configDir, "--socket", other]);
      expect(second.code).toBe(1);
      expect(second.output).toContain(`another zinit server already supervises ${first.configDir} (the directory is locked by pid ${first.proc.pid})`);
      expect(existsSync(other)).toBe(false);
      await Bun.sleep(200);
      await expectUndisturbed(first, pid, file);
    } finally {
      await first.stop();
    }
  });

  test("different directories and sockets: both servers run their services", async () => {
    const fileA = join(scratch, "starts-a");
    const fileB = join(scratch, "starts-b");
    const a = await startServer({ svc: counted(fileA) });
    try {
      const b = await startServer({ svc: counted(fileB) });
      try {
        for (const [s, f] of [[a, fileA], [b, fileB]] as const) {
          await waitFor("svc running", async () => (await s.rpc("service.status", { name: "svc" })).state === "running");
          // running means spawned: its first command (the count) may still be on its way
          await waitFor("svc counted", () => starts(f) === 1);
          expect(starts(f)).toBe(1);
        }
      } finally {
        await b.stop();
      }
    } finally {
      await a.stop();
    }
  });

  test("a read-only config directory is locked too, and a missing one does not stop the server", async () => {
    // A directory the server cannot write to (a ConfigMap mount, say) is still locked.
    const ro = join(scratch, "ro");
    mkdirSync(ro);
    const file = join(scratch, "starts");
    writeServices(ro, { svc: counted(file) });
    Bun.spawnSync(["chmod", "0555", ro]);
    const sock1 = join(scratch, "one.sock");
    const first = Bun.spawn([ZINIT, "server", "--config-dir", ro, "--socket", sock1], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    try {
      await waitFor("first serving", () => existsSync(sock1) && starts(file) === 1);
      const second = await runToEnd(["--config-dir", ro, "--socket", join(scratch, "two.sock")]);
      expect(second.code).toBe(1);
      expect(second.output).toContain(`another zinit server already supervises ${ro}`);
      // A missing directory is not locked (nothing to lock), the server still runs.
      const missing = await runToEnd(["--config-dir", join(scratch, "absent"), "--socket", join(scratch, "three.sock")], 1500);
      expect(missing.code).toBeNull();
      expect(missing.output).not.toContain("another zinit server");
    } finally {
      first.kill("SIGTERM");
      await first.exited;
    }
    expect(starts(file)).toBe(1);
  });

  test("a SIGKILLed server leaves no stale lock: the next one starts", async () => {
    const file = join(scratch, "starts");
    const first = await startServer({ svc: counted(file) });
    let pid = 0;
    try {
      ({ pid } = await waitFor("svc running", async () => {
        const s = await first.rpc("service.status", { name: "svc" });
        return s.state === "running" && s;
      }));
      first.proc.kill("SIGKILL");
      await first.proc.exited;
      // The crashed server's service is the test's to clear (pid1 does it in production).
      process.kill(-pid, "SIGKILL");
      await waitFor("the old service gone", () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      });
      const next = await runToEnd(["--config-dir", first.configDir, "--socket", first.socket], 1500);
      expect(next.code).toBeNull();
      expect(next.output).not.toContain("another zinit server");
      await waitFor("the new server's svc counted", () => starts(file) === 2);
    } finally {
      await first.stop();
    }
  });
});

describe.skipIf(!asRoot)("one server per socket across PID namespaces", () => {
  test("a second pid1 in its own namespace on the same socket path refuses and starts nothing, until the first is gone", async () => {
    const fileA = join(scratch, "starts-a");
    const fileB = join(scratch, "starts-b");
    await withPid1({ svc: pid1Service(`echo started >> ${fileA}; exec sleep 100000`) }, async (first) => {
      await waitFor("svc running in the first namespace", async () => (await first.list()).some((s) => s.state === "running"));
      await withPid1(
        { svc: pid1Service(`echo started >> ${fileB}; exec sleep 100000`) },
        async (second) => {
          await waitFor("the second server to refuse", () => second.output().includes(`another zinit server already serves ${first.socket}`), 8000);
          // The holder lives in a namespace the second cannot see: its pid there is named as such.
          const holder = nsPidOf(serverOf(first)!.pid);
          expect(second.output()).toContain(`held by pid ${holder} (not visible in this PID namespace)`);
          // pid1 keeps retrying with back-off; none of its servers ever starts a service.
          await Bun.sleep(500);
          expect(starts(fileB)).toBe(0);
          expect(second.procs().filter((p) => p.cmdline === "sleep 100000")).toHaveLength(0);
          // The first is untouched.
          expect(starts(fileA)).toBe(1);
          expect((await first.list()).map((s) => s.state)).toEqual(["running"]);

          // Once the first namespace is gone (its init SIGKILLed: no clean-up ran), the
          // kernel has dropped its locks and the second pid1's next try takes over.
          first.unshare.kill("SIGKILL");
          await first.unshare.exited;
          await waitFor("the second namespace's svc to run", async () => starts(fileB) === 1 && (await second.list()).every((s) => s.state === "running"), 15_000, 100);
          expect(second.procs().filter((p) => p.cmdline === "sleep 100000")).toHaveLength(1);
        },
        { socket: first.socket, waitReady: false },
      );
    });
  });
});
