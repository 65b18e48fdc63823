/**
 * Services in cgroups of their own, in a real virtual machine (QEMU, Debian's
 * kernel, cgroup2 mounted by zinit-pid1 in VM mode). One boot: the image of
 * images/vm/ plus the scenarios of cgroups/ (service files and /cgtest.sh, a
 * oneshot that drives them from inside the guest and prints what it sees). Here
 * the console is read and judged:
 *
 * - zinit finds the hierarchy, lives in zinit.scope with pid1, gives cpu io
 *   memory pids to the services; each service is in NAME.service;
 * - a service whose first act is to fork has the child in its cgroup;
 * - memory_max = "32M": the hog is OOM-killed, the reason says so, it is
 *   restarted (in a fresh cgroup);
 * - daemons that left the process group are gone after `zinit stop` (one by the
 *   stop signal sent through the cgroup, one by cgroup.kill after
 *   stop_timeout_ms), and the service was `stopping` until the cgroup was empty;
 * - pids_max = 16 holds a burst of 40 forks while another service starts and runs;
 * - cpu_max = "10%" throttles a busy loop (cpu.stat), and status shows the
 *   figures of the cgroup;
 * - a reload that raises memory_max rewrites memory.max, same pid.
 *
 * Needs root (scripts/build-initramfs installs QEMU and fetches the kernel when
 * missing); skipped only when QEMU cannot be had and there is no /dev/kvm either.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD, REPO, VmConsole } from "./console.ts";

const RUN_MS = 240_000;
const OVERLAY = join(import.meta.dir, "cgroups");

const out = mkdtempSync(join(tmpdir(), "zinit-vm-cgroups-"));
const prep = Bun.spawnSync(["bash", BUILD, "--overlay", OVERLAY, out], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
const prepError = prep.exitCode === 0 ? null : `scripts/build-initramfs failed (status ${prep.exitCode}):\n${prep.stderr.toString()}`;
const skip = prepError !== null && Bun.which("qemu-system-x86_64") === null && !existsSync("/dev/kvm");
if (skip) console.warn(`cgroups.test.ts: SKIPPED: no /dev/kvm and QEMU could not be installed.\n${prepError}`);

afterAll(() => rmSync(out, { recursive: true, force: true }));

let vm: VmConsole | null = null;
afterEach(() => {
  vm?.kill();
  vm = null;
});

/** A log line of the server: "[zinit] msg", with consola's badge when on a terminal. */
const zl = (msg: RegExp) => new RegExp(`\\[zinit\\] (?:[^\\sA-Za-z0-9]+ |i )?${msg.source}`);

/** What /cgtest.sh printed: its facts by key (first word(s)), and its framed blocks. */
class Facts {
  readonly lines: string[];
  constructor(private readonly c: VmConsole) {
    this.lines = c.lines.map((l) => l.text.match(/^cgtest\| cgtest: (.*)$/)?.[1]).filter((t): t is string => t !== undefined);
  }

  /** The rest of the fact line starting with `key `. */
  get(key: string): string {
    const line = this.lines.find((l) => l.startsWith(`${key} `));
    if (line === undefined) throw new Error(`no fact "${key}" on the console:\n${this.c.dump()}`);
    return line.slice(key.length + 1);
  }

  /** Numbers in the fact, in order. */
  numbers(key: string): number[] {
    return this.get(key).split(/\s+/).filter((w) => /^[0-9.]+$/.test(w)).map(Number);
  }

  /** `KEY VALUE` pairs of a flat-keyed file printed on one line. */
  keyed(key: string): Record<string, number> {
    const words = this.get(key).split(/\s+/);
    const out: Record<string, number> = {};
    for (let i = 0; i + 1 < words.length; i++) if (/^[a-z_]+$/.test(words[i]!) && /^[0-9]+$/.test(words[i + 1]!)) out[words[i]!] = Number(words[i + 1]);
    return out;
  }

  /** The lines between BEGIN key and END key, without the "cgtest| " prefix. */
  block(key: string): string {
    const texts = this.c.lines.map((l) => l.text);
    const begin = texts.indexOf(`cgtest| cgtest: BEGIN ${key}`);
    const end = texts.indexOf(`cgtest| cgtest: END ${key}`, begin);
    if (begin < 0 || end < 0) throw new Error(`no block "${key}" on the console:\n${this.c.dump()}`);
    return texts
      .slice(begin + 1, end)
      .filter((t) => t.startsWith("cgtest| "))
      .map((t) => t.slice("cgtest| ".length))
      .join("\n");
  }

  json(key: string): any {
    const text = this.block(key);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`block "${key}" is not JSON:\n${text}`);
    }
  }
}

describe.skipIf(skip)("cgroup v2 in QEMU", () => {
  test(
    "placement, OOM kill and restart, whole-cgroup stop, pids_max, cpu_max, limits changed in place",
    async () => {
      if (prepError) throw new Error(prepError);
      const c = new VmConsole(["--no-build", "--out", out]);
      vm = c;
      await c.waitFor(/cgtest\| cgtest: done at/, RUN_MS);
      expect(await c.waitExit(60_000)).toBe(0);
      try {
        expect(c.find(/reboot: Power down/)).toBeGreaterThan(0);
        judge(c);
      } catch (err) {
        // The console is the only record of what happened in the guest.
        if (err instanceof Error) err.message += `\n--- console ---\n${c.dump()}`;
        throw err;
      }
    },
    RUN_MS + 90_000,
  );
});

/** Reads the facts /cgtest.sh printed and holds them to what each scenario must show. */
function judge(c: VmConsole): void {
  const f = new Facts(c);
  const failures = c.lines.filter((l) => /Kernel panic|\[zinit(-pid1)?\] (?:\S+ )?(uncaught|unhandled|error)/.test(l.text));
  expect(failures.map((l) => l.text)).toEqual([]);

  // Detection and layout: pid1 mounted cgroup2, zinit and pid1 live in zinit.scope.
  expect(c.find(/\[zinit-pid1\] (?:\S+ )?mounted .*\/sys\/fs\/cgroup/)).toBeGreaterThan(0);
  const info = f.json("info");
  expect(info.mode).toBe("vm");
  expect(info.cgroups).toEqual({ enabled: true, path: "/sys/fs/cgroup", reason: null, controllers: ["cpu", "io", "memory", "pids"] });
  expect(c.find(zl(/cgroups: enabled \(\/sys\/fs\/cgroup; controllers: cpu io memory pids\)/))).toBeGreaterThan(0);
  // pid1 and the server, and no kernel thread: those stay where the kernel keeps them.
  const scope = f.get("zinit.scope").trim().split(" ");
  expect(scope).toHaveLength(2);
  expect(scope).toContain("1");
  expect(f.get("zinit.scope cmdlines")).toContain(" server --config-dir /etc/zinit/services ");
  expect(f.get("subtree_control").split(" ").sort()).toEqual(["cpu", "io", "memory", "pids"]);
  expect(f.get("self")).toBe("0::/cgtest.service");

  // Placement from the first instruction: the child forked at once is in the cgroup.
  const forker = f.block("forker").split("\n");
  expect(forker.filter((l) => l.endsWith("forker stdout| 0::/forker.service"))).toHaveLength(1);
  expect(forker.filter((l) => l.endsWith("forker stdout| leader 0::/forker.service"))).toHaveLength(1);

  // memory_max: OOM-killed, said so, restarted; the new run has a fresh cgroup.
  expect(c.find(/^hog\| hog: eating 100M$/)).toBeGreaterThan(0);
  expect(c.find(/^hog\| hog: survived$/)).toBe(-1);
  // From running, or through stopping when the rest of its cgroup was still dying as the leader's exit came.
  expect(c.find(zl(/hog: (?:running|stopping) -> starting \(killed by the OOM killer \(memory_max 32M\); restarting in 2000 ms \(attempt 1\)\)/))).toBeGreaterThan(0);
  const hog = f.json("hog");
  expect(hog).toMatchObject({ state: "running", restarts: 1, reason: `started (pid ${hog.pid})` });
  expect(f.keyed("hog memory.events").oom_kill).toBe(0);
  expect(c.find(/^hog\| hog: second run, behaving$/)).toBeGreaterThan(0);

  // Daemons outside the process group: gone after the stop, which lasted until the cgroup was empty.
  const [leader, daemon, stubborn] = f.numbers("daemon pids");
  const [gLeader, gDaemon, gStubborn] = f.numbers("daemon pgrps");
  expect(gLeader).toBe(leader!);
  expect(gDaemon).not.toBe(gLeader!);
  expect(gStubborn).not.toBe(gLeader!);
  expect(f.numbers("daemon procs")).toEqual(expect.arrayContaining([leader!, daemon!, stubborn!]));
  expect(f.get("daemon after")).toBe("gone gone gone");
  expect(f.keyed("daemon events").populated).toBe(0);
  expect(c.find(/^daemon\| daemon: got TERM$/)).toBeGreaterThan(0);
  const [t0, t1] = f.numbers("daemon stop took");
  expect(t1! - t0!).toBeGreaterThanOrEqual(1.4); // the stubborn one lived until cgroup.kill at stop_timeout_ms (1500)
  const stopping = c.find(zl(/daemon: running -> stopping \(stopped by user\)/));
  const stopped = c.find(zl(/daemon: stopping -> inactive \(stopped by user\)/));
  expect(stopping).toBeGreaterThan(0);
  expect(stopped).toBeGreaterThan(stopping);
  expect(f.json("daemon")).toMatchObject({ state: "inactive", pid: null });

  // pids_max holds the burst (it reaches the limit, and forks were refused); meanwhile
  // another service forks, runs and ends well.
  const [pidsNow, pidsMax] = f.numbers("bomb pids");
  expect(pidsMax).toBe(16);
  expect(pidsNow).toBeLessThanOrEqual(16);
  expect(pidsNow).toBeGreaterThan(1);
  expect(f.keyed("bomb pids.events").max).toBeGreaterThan(0);
  expect(f.json("alive")).toMatchObject({ state: "exited", exit: { code: 0, signal: null } });
  expect(c.find(/^alive\| alive: ok$/)).toBeGreaterThan(0);
  expect(f.get("bomb after")).toMatch(/^inactive populated 0/);

  // cpu_max = 10%: throttled; status reads the figures of the cgroup.
  expect(f.get("spin cpu.max")).toBe("10000 100000");
  const cpu = f.keyed("spin cpu.stat");
  expect(cpu.nr_throttled).toBeGreaterThan(0);
  expect(cpu.usage_usec! / cpu.nr_periods!).toBeLessThan(20_000); // at most ~10 ms of each 100 ms period, with slack
  const spin = f.json("spin");
  expect(spin.state).toBe("running");
  expect(spin.cpu_ms).toBeGreaterThan(0);
  expect(spin.memory_bytes).toBeGreaterThan(0);
  expect(spin.pids).toBe(1);
  expect(spin.processes).toEqual([{ pid: spin.pid, cmd: "/bin/sh -c while :; do :; done" }]);
  expect(spin.config.resources.cpu_max).toBe(10);

  // A reload raises memory_max in place: same pid, new memory.max.
  const [pidBefore, maxBefore] = f.numbers("grow before");
  const [pidAfter, maxAfter] = f.numbers("grow after");
  expect(maxBefore).toBe(64 * 2 ** 20);
  expect(maxAfter).toBe(96 * 2 ** 20);
  expect(pidAfter).toBe(pidBefore!);
  expect(f.json("reload").changed).toEqual([{ name: "grow", restarted: false }]);

  const [start] = f.numbers("start at");
  const [done] = f.numbers("done at");
  console.log(`vm cgroups: scenarios ran from guest uptime ${start}s to ${done}s; QEMU ran ${(c.lines.at(-1)!.at / 1000).toFixed(1)} s`);
}
