/**
 * The kernel's cgroup files as zinit reads them, and the files and values that
 * carry [resources]: where this process's cgroup v2 directory is, in a plain
 * host, a hybrid one and a container; flat-keyed files; limit writes for a fresh
 * cgroup and in place, with keys whose controller is missing named.
 */
import { describe, expect, test } from "bun:test";
import {
  cgroupDirectory,
  cgroupMounts,
  isKernelThreadStat,
  limitWrites,
  parseFlatKeyed,
  serviceCgroupName,
  v2PathOf,
} from "../../../src/server/engine/cgroup-text.ts";
import type { Resources } from "../../../src/sdk/config/types.ts";

const none: Resources = { memory_max: null, memory_high: null, cpu_max: null, cpu_weight: null, pids_max: null };
const ALL = new Set(["cpu", "io", "memory", "pids"]);

describe("where the cgroup is", () => {
  test("/proc/self/cgroup: the v2 line, whatever v1 lines come first", () => {
    expect(v2PathOf("0::/system.slice/zinit.service\n")).toBe("/system.slice/zinit.service");
    expect(v2PathOf("9:name=systemd:/\n4:memory:/x\n0::/\n")).toBe("/");
    expect(v2PathOf("4:memory:/x\n1:cpu:/\n")).toBeNull();
  });

  test("mountinfo: cgroup2 mounts with root and read-only flag; v1 noticed; escaped paths", () => {
    const info = [
      "25 30 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime shared:9 - tmpfs tmpfs ro,mode=755",
      "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
      "27 25 0:24 / /sys/fs/cgroup/memory rw,nosuid shared:11 - cgroup cgroup rw,memory",
      "40 30 0:30 /docker/abc /mnt/with\\040space ro,relatime - cgroup2 cgroup2 rw",
    ].join("\n");
    const m = cgroupMounts(info);
    expect(m.v1).toBe(true);
    expect(m.v2).toEqual([
      { mountPoint: "/sys/fs/cgroup/unified", root: "/", readOnly: false },
      { mountPoint: "/mnt/with space", root: "/docker/abc", readOnly: true },
    ]);
    expect(cgroupMounts("30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw").v1).toBe(false);
  });

  test("the directory: the mount whose root is the longest prefix of the path", () => {
    const host = { mountPoint: "/sys/fs/cgroup", root: "/", readOnly: false };
    const nested = { mountPoint: "/mnt/c", root: "/docker/abc", readOnly: false };
    expect(cgroupDirectory("/", [host])?.dir).toBe("/sys/fs/cgroup");
    expect(cgroupDirectory("/system.slice/x.service", [host])?.dir).toBe("/sys/fs/cgroup/system.slice/x.service");
    expect(cgroupDirectory("/docker/abc/zinit.scope", [host, nested])).toEqual({ dir: "/mnt/c/zinit.scope", mount: nested });
    expect(cgroupDirectory("/docker/abc", [nested])?.dir).toBe("/mnt/c");
    expect(cgroupDirectory("/docker/abcd", [nested])).toBeNull();
  });
});

describe("kernel threads", () => {
  test("PF_KTHREAD in the flags of /proc/PID/stat, whatever the command name holds", () => {
    expect(isKernelThreadStat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0")).toBe(true);
    expect(isKernelThreadStat("1 (init) S 0 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 1 0 0")).toBe(false);
    expect(isKernelThreadStat("77 (a) b (c)) S 1 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 1 0 0")).toBe(false);
  });
});

describe("flat-keyed files", () => {
  test("cgroup.events, memory.events, cpu.stat", () => {
    expect(parseFlatKeyed("populated 1\nfrozen 0\n").get("populated")).toBe(1);
    const ev = parseFlatKeyed("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 1\n");
    expect(ev.get("oom_kill")).toBe(1);
    expect(ev.get("max")).toBe(12);
    expect(parseFlatKeyed("usage_usec 122460\nuser_usec 109340\nnr_throttled 10\n").get("usage_usec")).toBe(122_460);
    expect(parseFlatKeyed("").size).toBe(0);
  });
});

describe("limit writes", () => {
  const r: Resources = { memory_max: 32 * 2 ** 20, memory_high: 16 * 2 ** 20, cpu_max: 12.5, cpu_weight: 50, pids_max: 16 };

  test("a fresh cgroup gets the keys that are set, and an OOM kill of the whole service with memory_max", () => {
    expect(limitWrites(r, ALL, true)).toEqual({
      writes: [
        ["memory.high", String(16 * 2 ** 20)],
        ["memory.max", String(32 * 2 ** 20)],
        ["memory.oom.group", "1"],
        ["cpu.max", "12500 100000"],
        ["cpu.weight", "50"],
        ["pids.max", "16"],
      ],
      unenforced: [],
    });
    expect(limitWrites({ ...none, pids_max: 8 }, ALL, true).writes).toEqual([["pids.max", "8"]]);
    expect(limitWrites(null, ALL, true).writes).toEqual([]);
    expect(limitWrites({ ...none, cpu_max: 200 }, ALL, true).writes).toEqual([["cpu.max", "200000 100000"]]);
  });

  test("in place every file of an enabled controller is written, keys taken out back at the kernel's default", () => {
    expect(limitWrites({ ...none, memory_max: 2 ** 30 }, ALL, false).writes).toEqual([
      ["memory.high", "max"],
      ["memory.max", String(2 ** 30)],
      ["memory.oom.group", "1"],
      ["cpu.max", "max 100000"],
      ["cpu.weight", "100"],
      ["pids.max", "max"],
    ]);
    expect(limitWrites(null, new Set(["memory"]), false).writes).toEqual([
      ["memory.high", "max"],
      ["memory.max", "max"],
      ["memory.oom.group", "0"],
    ]);
  });

  test("a key whose controller is not enabled is named with why; its files are not touched", () => {
    const w = limitWrites(r, new Set(["memory", "pids"]), true);
    expect(w.unenforced).toEqual(["cpu_max (no cpu controller)", "cpu_weight (no cpu controller)"]);
    expect(w.writes.map(([f]) => f)).toEqual(["memory.high", "memory.max", "memory.oom.group", "pids.max"]);
    expect(limitWrites({ ...none, pids_max: 4 }, new Set(), true)).toEqual({ writes: [], unenforced: ["pids_max (no pids controller)"] });
  });

  test("a service's cgroup name cannot collide with a kernel file", () => {
    expect(serviceCgroupName("cgroup.procs")).toBe("cgroup.procs.service");
    expect(serviceCgroupName("web")).toBe("web.service");
  });
});
