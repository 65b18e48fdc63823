/**
 * Boot-time benchmark of VM mode (figures in bench/vm.md):
 *
 *   node_modules/.bin/bun scripts/vm/bench.ts [RUNS]      (ZINIT_VM_ACCEL=kvm|tcg to force)
 *
 * Builds the kernel and both initramfs flavours (uncompressed and gzip) into a temp
 * dir, then boots each combination of kernel (uncompressed vmlinux through PVH, or
 * the bzImage) and initramfs RUNS times (default 3) with `--poweroff-after 0`,
 * reading the serial console. Per boot: host time from QEMU's start to the
 * pre-init's line, to zinit-pid1's first line and to the last service reaching
 * running; the guest's uptime at the pre-init (≈ the kernel's hand-off to /init)
 * and when the `ready` oneshot ran (all services up); and the time from
 * `zinit poweroff` to QEMU's exit. Prints a Markdown table of medians.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadAverage } from "../../test/helpers/proc.ts";
import { BUILD, REPO, uptimeOf, VmConsole } from "../../test/integration/vm/console.ts";

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 3);
const forced = process.env.ZINIT_VM_ACCEL;
const accel = forced && forced !== "auto" ? forced : existsSync("/dev/kvm") && /\b(vmx|svm)\b/.test(readFileSync("/proc/cpuinfo", "utf8")) ? "kvm" : "tcg";
const out = mkdtempSync(join(tmpdir(), "zinit-vm-bench-"));
process.on("exit", () => rmSync(out, { recursive: true, force: true }));

for (const flags of [[], ["--gzip"]]) {
  const r = Bun.spawnSync(["bash", BUILD, ...flags, out], { cwd: REPO, stdout: "pipe", stderr: "inherit" });
  if (r.exitCode !== 0) throw new Error("scripts/build-initramfs failed");
}

const SERVICES = ["console", "logger", "database", "app", "worker"];
const running = (name: string) => new RegExp(`\\[zinit\\] (?:[^\\sA-Za-z0-9]+ |i )?${name}: \\w+ -> running`);

interface Boot {
  preinit: number;
  pid1: number;
  server: number;
  allRunning: number;
  guestPreinit: number;
  guestReady: number;
  poweroff: number;
  total: number;
}

async function boot(args: string[]): Promise<Boot> {
  const c = new VmConsole(["--no-build", "--out", out, "--poweroff-after", "0", `--${accel}`, ...args]);
  try {
    const pre = await c.waitFor(/pre-init: \/proc mounted/, 120_000);
    const pid1 = await c.waitFor(/\[zinit-pid1\]/, 60_000);
    const server = await c.waitFor(/\[zinit\] .*serving \d+ units/, 60_000);
    let allRunning = 0;
    for (const s of SERVICES) allRunning = Math.max(allRunning, (await c.waitFor(running(s), 60_000)).at);
    const ready = await c.waitFor(/ready\| ready: all services up/, 60_000);
    const asked = await c.waitFor(/ready\| ready: zinit poweroff/, 60_000);
    const status = await c.waitExit(60_000);
    if (status === null) throw new Error(`QEMU did not exit:\n${c.dump()}`);
    if (c.find(/reboot: Power down/) < 0) throw new Error(`no power-down on the console:\n${c.dump()}`);
    const end = c.lines.at(-1)!.at;
    return {
      preinit: pre.at,
      pid1: pid1.at,
      server: server.at,
      allRunning,
      guestPreinit: uptimeOf(pre)! * 1000,
      guestReady: uptimeOf(ready)! * 1000,
      poweroff: end - asked.at,
      total: end,
    };
  } finally {
    c.kill();
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(2);
/** "median (min–max)" in seconds */
const stat = (xs: number[]) => (xs.length > 1 ? `${sec(median(xs))} (${sec(sorted(xs)[0]!)}–${sec(sorted(xs).at(-1)!)})` : sec(xs[0]!));

const variants: Array<[string, string[]]> = [
  ["vmlinux (PVH) + cpio", []],
  ["vmlinux (PVH) + cpio.gz", ["--gzip"]],
  ["bzImage + cpio", ["--bzimage"]],
  ["bzImage + cpio.gz", ["--bzimage", "--gzip"]],
];
const size = (f: string) => (statSync(join(out, f)).size / 1e6).toFixed(1);
const qemu = Bun.spawnSync(["qemu-system-x86_64", "--version"]).stdout.toString().split("\n")[0];
const kernel = Bun.spawnSync(["sh", "-c", `cat "\${ZINIT_VM_CACHE:-/var/cache/zinit-vm}/kernel/VERSION" 2>/dev/null`]).stdout.toString().trim().split(" ").at(-1);
const loadBefore = loadAverage();
console.log(`- date: ${new Date().toISOString()}`);
console.log(`- command: \`node_modules/.bin/bun scripts/vm/bench.ts ${runs}\` (as root)`);
console.log(`- host: ${cpus().length} × ${cpus()[0]?.model}, kernel ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}`);
console.log(`- ${qemu}; accel ${accel}; \`-cpu max -smp 2 -m 512\``);
console.log(`- guest kernel: ${kernel || "?"}; vmlinux ${size("vmlinux")} MB, bzImage ${size("vmlinuz")} MB`);
console.log(`- initramfs.cpio ${size("initramfs.cpio")} MB, initramfs.cpio.gz ${size("initramfs.cpio.gz")} MB (gzip -1)`);
console.log(`- ${runs} boots per variant, variants in turn; median (min–max), seconds\n`);
console.log("| kernel + initramfs | QEMU start → pre-init | guest uptime at pre-init | QEMU start → all running | pre-init → all running (host) | hand-off → all up (guest uptime) | `zinit poweroff` → QEMU exit | QEMU total |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
const all: Boot[][] = [];
for (const [name, args] of variants) {
  const bs: Boot[] = [];
  for (let i = 0; i < runs; i++) bs.push(await boot(args));
  all.push(bs);
  const col = (f: (b: Boot) => number) => stat(bs.map(f));
  console.log(
    `| ${name} | ${col((b) => b.preinit)} | ${col((b) => b.guestPreinit)} | ${col((b) => b.allRunning)} | ${col((b) => b.allRunning - b.preinit)} | ${col((b) => b.guestReady - b.guestPreinit)} | ${col((b) => b.poweroff)} | ${col((b) => b.total)} |`,
  );
}
const every = all.flat();
console.log(`\nAfter the hand-off, all ${every.length} boots (host clock, serial console):\n`);
console.log("| step | median (min–max) |");
console.log("| --- | --- |");
console.log(`| pre-init line → first zinit-pid1 line (Bun starts as PID 1, mounts /sys, /dev, /run) | ${stat(every.map((b) => b.pid1 - b.preinit))} |`);
console.log(`| → server's "serving 7 units" (second Bun process, config loaded, socket bound) | ${stat(every.map((b) => b.server - b.pid1))} |`);
console.log(`| → last service running (database, migrate, app, worker in order; logger, console) | ${stat(every.map((b) => b.allRunning - b.server))} |`);
console.log(`\n- load average (1/5/15 min) before: ${loadBefore}; after: ${loadAverage()}`);
