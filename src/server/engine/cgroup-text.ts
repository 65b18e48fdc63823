/**
 * The text of the kernel's cgroup files and what zinit writes into them, pure:
 * where this process's cgroup v2 is (/proc/self/cgroup, /proc/self/mountinfo),
 * the flat-keyed files (cgroup.events, memory.events, cpu.stat), and the files
 * and values that carry a service's [resources]. The effects that read and write
 * them are in src/server/effects/cgroups.ts.
 */
import type { Resources } from "../../sdk/config/types.ts";

/** The cgroup of a process on the v2 hierarchy ("0::/path"), or null when it has none. */
export function v2PathOf(procCgroup: string): string | null {
  for (const line of procCgroup.split("\n")) if (line.startsWith("0::")) return line.slice(3).trim() || "/";
  return null;
}

export interface CgroupMount {
  /** where it is mounted */
  mountPoint: string;
  /** the cgroup shown at the mount point (not "/" inside a cgroup namespace mounted from outside) */
  root: string;
  readOnly: boolean;
}

/** mountinfo escapes blanks and backslashes in paths as octal (\040). */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The cgroup2 mounts of /proc/self/mountinfo, and whether a cgroup v1 hierarchy is mounted too. */
export function cgroupMounts(mountinfo: string): { v2: CgroupMount[]; v1: boolean } {
  const v2: CgroupMount[] = [];
  let v1 = false;
  for (const line of mountinfo.split("\n")) {
    // id parent major:minor root mountpoint options [optional fields...] - fstype source super-options
    const dash = line.indexOf(" - ");
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(" ");
    const [fstype] = line.slice(dash + 3).split(" ");
    if (fstype === "cgroup") v1 = true;
    if (fstype !== "cgroup2" || left.length < 6) continue;
    const options = left[5]!.split(",");
    v2.push({ mountPoint: unescapeMountPath(left[4]!), root: unescapeMountPath(left[3]!), readOnly: options.includes("ro") });
  }
  return { v2, v1 };
}

/**
 * The directory of cgroup `path` under one of `mounts`: the mount whose root is
 * the longest prefix of the path wins. Null when none shows it.
 */
export function cgroupDirectory(path: string, mounts: readonly CgroupMount[]): { dir: string; mount: CgroupMount } | null {
  let best: { dir: string; mount: CgroupMount } | null = null;
  let bestLength = -1;
  for (const m of mounts) {
    const root = m.root === "/" ? "" : m.root.replace(/\/$/, "");
    if (root !== "" && path !== root && !path.startsWith(`${root}/`)) continue;
    if (root.length <= bestLength) continue;
    const rest = path.slice(root.length);
    best = { dir: `${m.mountPoint.replace(/\/$/, "")}${rest === "/" ? "" : rest}` || "/", mount: m };
    bestLength = root.length;
  }
  return best;
}

const PF_KTHREAD = 0x00200000;

/** Whether /proc/PID/stat is a kernel thread's (PF_KTHREAD in its flags, the 9th field). */
export function isKernelThreadStat(stat: string): boolean {
  // The command name (2nd field) may hold blanks and parentheses: count from its end.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[6]) & PF_KTHREAD) !== 0;
}

/** A flat-keyed file ("populated 1\nfrozen 0"): key -> number. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^[0-9]+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** The controllers a service's limits need, by key. */
export const CONTROLLER_OF: Record<keyof Resources, string> = {
  memory_max: "memory",
  memory_high: "memory",
  cpu_max: "cpu",
  cpu_weight: "cpu",
  pids_max: "pids",
};

/** The period of cpu.max, in µs: 100 ms, the kernel's default. */
export const CPU_PERIOD_US = 100_000;

export interface LimitWrites {
  /** cgroup file -> value, in the order to write them */
  writes: [string, string][];
  /** the keys that need a controller that is not enabled, with why */
  unenforced: string[];
}

/**
 * What to write for `resources` given the enabled controllers. A fresh cgroup
 * has every limit at the kernel's default, so only the keys that are set are
 * written; in place (a reload) every key of an enabled controller is, so a key
 * taken out of the file goes back to its default. memory.oom.group makes an OOM
 * kill end the whole service at once, as one unit, when memory_max is set.
 */
export function limitWrites(resources: Resources | null, controllers: ReadonlySet<string>, fresh: boolean): LimitWrites {
  const r: Resources = resources ?? { memory_max: null, memory_high: null, cpu_max: null, cpu_weight: null, pids_max: null };
  const writes: [string, string][] = [];
  const unenforced: string[] = [];
  const put = (key: keyof Resources, file: string, value: string | null, defaultValue: string) => {
    if (!controllers.has(CONTROLLER_OF[key])) {
      if (r[key] !== null) unenforced.push(`${key} (no ${CONTROLLER_OF[key]} controller)`);
      return;
    }
    if (value !== null) writes.push([file, value]);
    else if (!fresh) writes.push([file, defaultValue]);
  };
  put("memory_high", "memory.high", r.memory_high === null ? null : String(r.memory_high), "max");
  put("memory_max", "memory.max", r.memory_max === null ? null : String(r.memory_max), "max");
  if (controllers.has("memory") && (r.memory_max !== null || !fresh)) writes.push(["memory.oom.group", r.memory_max === null ? "0" : "1"]);
  put("cpu_max", "cpu.max", r.cpu_max === null ? null : `${Math.round((r.cpu_max * CPU_PERIOD_US) / 100)} ${CPU_PERIOD_US}`, `max ${CPU_PERIOD_US}`);
  put("cpu_weight", "cpu.weight", r.cpu_weight === null ? null : String(r.cpu_weight), "100");
  put("pids_max", "pids.max", r.pids_max === null ? null : String(r.pids_max), "max");
  return { writes, unenforced };
}

/** The cgroup directory name of a service: a suffix no file of the kernel's ends with, so no name collides with one. */
export function serviceCgroupName(name: string): string {
  return `${name}.service`;
}

/** The leaf zinit itself (and, under zinit-pid1, pid1) lives in. */
export const SELF_CGROUP = "zinit.scope";
