/**
 * A critical unit failing in VM mode, in a real virtual machine: zinit-pid1 must
 * never exit (PID 1 exiting panics the kernel). It stops every service, prints the
 * failure on the console and runs an emergency shell on /dev/console, whose prompt
 * shows. The `critical-check` oneshot of images/vm/ fails only when the kernel
 * command line carries VM_CRITICAL_FAIL=1. One boot, ~10-15 s under TCG.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD, REPO, VmConsole } from "./console.ts";

const BOOT_MS = 90_000;

const out = mkdtempSync(join(tmpdir(), "zinit-vm-critical-"));
const prep = Bun.spawnSync(["bash", BUILD, out], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
const prepError = prep.exitCode === 0 ? null : `scripts/build-initramfs failed (status ${prep.exitCode}):\n${prep.stderr.toString()}`;
const skip = prepError !== null && Bun.which("qemu-system-x86_64") === null && !existsSync("/dev/kvm");
if (skip) console.warn(`critical.test.ts: SKIPPED: no /dev/kvm and QEMU could not be installed.\n${prepError}`);

afterAll(() => rmSync(out, { recursive: true, force: true }));

let vm: VmConsole | null = null;
afterEach(() => {
  vm?.kill();
  vm = null;
});

describe.skipIf(skip)("VM mode: a critical unit fails", () => {
  test(
    "the services stop, the console says why, an emergency shell prompt appears, and PID 1 lives on",
    async () => {
      if (prepError) throw new Error(prepError);
      const c = new VmConsole(["--no-build", "--out", out, "--append", "VM_CRITICAL_FAIL=1"]);
      vm = c;
      await c.waitFor(/critical-check: failing on purpose/, BOOT_MS);
      await c.waitFor(/\[zinit\] .*critical unit critical-check failed \(exit code 3\): stopping everything/, BOOT_MS);
      await c.waitFor(/\[zinit\] .*all services stopped/, BOOT_MS);
      await c.waitFor(/\[zinit-pid1\] .*critical unit critical-check failed \(status 3\); the services are stopped/, BOOT_MS);
      await c.waitFor(/starting an emergency shell on \/dev\/console/, BOOT_MS);
      await c.waitFor(/zinit-emergency# /, BOOT_MS);
      // PID 1 did not exit: no panic, and QEMU is still running.
      expect(c.lines.some((l) => /Kernel panic|Attempted to kill init/.test(l.text))).toBe(false);
      const still = await Promise.race([c.exited.then(() => "exited"), Bun.sleep(500).then(() => "running")]);
      expect(still).toBe("running");
    },
    BOOT_MS + 20_000,
  );
});
