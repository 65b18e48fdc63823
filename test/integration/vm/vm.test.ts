/**
 * VM mode in a real virtual machine: QEMU boots Debian's kernel
 * with an initramfs whose /init (images/vm/init) mounts /proc and execs
 * zinit-pid1. Reads the serial console and checks that every service of
 * images/vm/ comes up, that a `zinit poweroff` / `zinit reboot` run from inside
 * the guest shuts the services down in reverse dependency order, and that
 * zinit-pid1 then ends the machine with reboot(2), so QEMU exits by itself.
 *
 * Needs root (scripts/build-initramfs installs QEMU and fetches the kernel when
 * missing). Skipped only when QEMU cannot be had and there is no /dev/kvm either.
 * Software emulation (TCG) by default; ~5-10 s per boot here.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD, REPO, uptimeOf, VmConsole } from "./console.ts";

const BOOT_MS = 90_000;
const SHUTDOWN_MS = 45_000;

// Build the kernel + initramfs once for the file (installs QEMU etc. if missing).
const out = mkdtempSync(join(tmpdir(), "zinit-vm-test-"));
const prep = Bun.spawnSync(["bash", BUILD, out], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
const prepError = prep.exitCode === 0 ? null : `scripts/build-initramfs failed (status ${prep.exitCode}):\n${prep.stderr.toString()}`;
const haveQemu = Bun.which("qemu-system-x86_64") !== null;
const skip = prepError !== null && !haveQemu && !existsSync("/dev/kvm");
if (skip) {
  console.warn(`vm.test.ts: SKIPPED: no /dev/kvm and QEMU could not be installed.\n${prepError}`);
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

let vm: VmConsole | null = null;
afterEach(() => {
  vm?.kill();
  vm = null;
});

/**
 * A log line of zinit (tag "zinit") or zinit-pid1: consola writes "[info] [zinit] msg"
 * or, on a terminal, "[zinit] ℹ msg" ("i" where it assumes no unicode).
 */
function zl(tag: string, msg: RegExp): RegExp {
  return new RegExp(`\\[${tag}\\] (?:[^\\sA-Za-z0-9]+ |i )?${msg.source}`);
}

const SERVICES = ["console", "logger", "database", "app", "worker"];

/** Boots with the `ready` oneshot asking for `power` 1 s after all is up. */
async function bootAndEnd(power: "poweroff" | "reboot"): Promise<{ c: VmConsole; status: number | null }> {
  if (prepError) throw new Error(prepError);
  const c = new VmConsole(["--no-build", "--out", out, `--${power}-after`, "1"]);
  vm = c;
  // The first line of our code in the guest, then every service up.
  await c.waitFor(/pre-init: \/proc mounted/, BOOT_MS);
  // Nothing on the command line says which mode: zinit-pid1 sees the machine's own PID namespace.
  await c.waitFor(zl("zinit-pid1", /VM mode: PID 1 of the machine's own PID namespace \(kthreadd is PID 2, no container marker\)/), BOOT_MS);
  await c.waitFor(zl("zinit-pid1", /mounted \/sys, \/dev, \/run/), BOOT_MS);
  for (const name of SERVICES) await c.waitFor(zl("zinit", new RegExp(`${name}: \\w+ -> running`)), BOOT_MS);
  await c.waitFor(zl("zinit", /migrate: starting -> exited \(exit code 0\)/), BOOT_MS);
  await c.waitFor(/ready\| ready: all services up at uptime/, BOOT_MS);
  await c.waitFor(new RegExp(`ready\\| ready: zinit ${power}`), BOOT_MS);
  // Then the guest ends itself: QEMU must exit without our help.
  const status = await c.waitExit(SHUTDOWN_MS);
  return { c, status };
}

/** worker stops before app, app before database. */
function expectOrderedShutdown(c: VmConsole, power: string): void {
  const requested = c.find(zl("zinit", new RegExp(`${power} requested: stopping all services`)));
  expect(requested).toBeGreaterThan(0);
  const at = (re: RegExp) => {
    const i = c.find(re, requested);
    if (i < 0) throw new Error(`${re} not on the console after the ${power} request:\n${c.dump()}`);
    return i;
  };
  const workerStopped = at(zl("zinit", /worker: stopping -> inactive/));
  const appStopping = at(zl("zinit", /app: running -> stopping/));
  const appStopped = at(zl("zinit", /app: stopping -> inactive/));
  const dbStopping = at(zl("zinit", /database: running -> stopping/));
  const dbStopped = at(zl("zinit", /database: stopping -> inactive/));
  expect(workerStopped).toBeLessThan(appStopping);
  expect(appStopped).toBeLessThan(dbStopping);
  // The services' own words, from their TERM traps, in the same order.
  const said = ["worker", "app", "database"].map((n) => at(new RegExp(`^${n}\\| stopping ${n}$`)));
  expect(said).toEqual([...said].sort((a, b) => a - b));
  expect(dbStopped).toBeLessThan(at(zl("zinit", /all services stopped/)));
}

function expectNoPanic(c: VmConsole): void {
  const bad = c.lines.filter((l) => /Kernel panic|Attempted to kill init|panic\(main thread\)|KVM internal error|\[zinit(-pid1)?\] (?:\S+ )?(uncaught|unhandled|error)/.test(l.text));
  expect(bad.map((l) => l.text)).toEqual([]);
}

describe.skipIf(skip)("VM mode in QEMU", () => {
  test("the initramfs holds the executable as a copy at /sbin/init, the other names link to it", () => {
    if (prepError) throw new Error(prepError);
    const list = Bun.spawnSync(["cpio", "-itv", "--quiet"], { stdin: Bun.file(join(out, "initramfs.cpio")), stdout: "pipe", stderr: "pipe" });
    expect(list.exitCode).toBe(0);
    const entry = (path: string) => list.stdout.toString().split("\n").find((l) => l.endsWith(` ${path}`) || l.includes(` ${path} -> `));
    // A regular file (mode -rwx...), so booting proves a copy named init starts a server.
    expect(entry("sbin/init")).toMatch(/^-rwxr-xr-x /);
    for (const name of ["zinit", "zinit-pid1", "zinit-server"]) expect(entry(`sbin/${name}`)).toEndWith(`sbin/${name} -> init`);
    expect(entry("init")).toMatch(/^-rwx/);
  });

  test(
    "boots, runs every service, `zinit poweroff` stops them in order and powers the machine off",
    async () => {
      const { c, status } = await bootAndEnd("poweroff");
      expect(status).toBe(0);
      expectNoPanic(c);
      expectOrderedShutdown(c, "poweroff");
      const off = c.find(zl("zinit-pid1", /powering off/));
      expect(off).toBeGreaterThan(c.find(zl("zinit", /all services stopped/)));
      expect(c.find(/reboot: Power down/, off)).toBeGreaterThan(off);
      const up0 = uptimeOf(c.lines[c.find(/pre-init: \/proc mounted/)]);
      const up1 = uptimeOf(c.lines[c.find(/ready: all services up/)]);
      console.log(`vm poweroff boot: pre-init at guest uptime ${up0}s, all services up at ${up1}s; QEMU ran ${(c.lines.at(-1)!.at / 1000).toFixed(1)} s`);
    },
    BOOT_MS + SHUTDOWN_MS + 10_000,
  );

  test(
    "`zinit reboot` stops the services in order and reboots (QEMU -no-reboot exits)",
    async () => {
      const { c, status } = await bootAndEnd("reboot");
      expect(status).toBe(0);
      expectNoPanic(c);
      expectOrderedShutdown(c, "reboot");
      const rb = c.find(zl("zinit-pid1", /rebooting/));
      expect(rb).toBeGreaterThan(c.find(zl("zinit", /all services stopped/)));
      expect(c.find(/reboot: Restarting system/, rb)).toBeGreaterThan(rb);
      expect(c.find(zl("zinit-pid1", /powering off/))).toBe(-1);
    },
    BOOT_MS + SHUTDOWN_MS + 10_000,
  );
});
