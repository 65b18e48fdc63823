/**
 * Services in cgroups of their own (cgroup v2): finding a hierarchy zinit may
 * write to, and everything done to a service's cgroup — made afresh before each
 * run, limits written, signalled, killed, watched until it is empty, read for
 * `status`. The decisions (when to stop, what an OOM kill means) are the
 * engine's; the file formats are in src/server/engine/cgroup-text.ts.
 *
 * Layout, below BASE (zinit's own cgroup, or the root of the hierarchy in VM mode):
 *
 *   BASE/zinit.scope      zinit itself, and pid1 under zinit-pid1 (a leaf: cgroup v2
 *                         lets only cgroups without processes give controllers
 *                         to their children)
 *   BASE/NAME.service     one per service, the controllers of BASE enabled for it
 *
 * A service's process joins its cgroup as it is spawned (Bun.spawn's `cgroup`
 * option: clone3 with CLONE_INTO_CGROUP), so nothing of it ever runs outside.
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { Resources } from "../../sdk/config/types.ts";
import type { CgroupsInfo } from "../../sdk/protocol/types.ts";
import { ZinitError } from "../../sdk/errors.ts";
import { getpgid } from "../../sys/libc.ts";
import {
  cgroupDirectory,
  cgroupMounts,
  isKernelThreadStat,
  limitWrites,
  parseFlatKeyed,
  SELF_CGROUP,
  serviceCgroupName,
  v2PathOf,
} from "../engine/cgroup-text.ts";
import { commandLine } from "../engine/proc-stat.ts";

/** The controllers zinit hands down to its services, when its cgroup has them. */
export const WANTED_CONTROLLERS = ["cpu", "memory", "pids", "io"] as const;

/** What `status` shows of a service's processes. */
export interface CgroupFigures {
  memory_bytes: number;
  cpu_ms: number;
  pids: number;
  processes: { pid: number; cmd: string }[];
}

/** The cgroups of the services, once a writable hierarchy was found. */
export interface ServiceCgroups {
  /** A fresh cgroup for the next run of `name`, its limits written: where to spawn, and the limits that could not be set. */
  prepare(name: string, resources: Resources | null): { path: string; unenforced: string[] };
  /** Writes changed limits into the cgroup of a live run; returns what could not be written. */
  apply(name: string, resources: Resources | null): string[];
  /** Whether any process is left in the cgroup. */
  populated(name: string): boolean;
  /** How many processes the OOM killer killed in the cgroup during this run. */
  oomKills(name: string): number;
  /** `signal` to group `pgid`, then to every process of the cgroup outside it. */
  signal(name: string, pgid: number, signal: string): void;
  /** SIGKILL to every process of the cgroup at once. */
  kill(name: string, pgid: number): void;
  /** Calls `onEmpty` once the cgroup is empty; null (and no call) when it already is. Returns the way to give up. */
  watchEmpty(name: string, onEmpty: () => void): (() => void) | null;
  /** What `status` shows; `processes` left empty unless `withProcesses` (`list` and metrics need only the figures). */
  figures(name: string, withProcesses?: boolean): CgroupFigures | null;
  /** Removes the cgroup of an unloaded service (when empty). */
  release(name: string): void;
  /** Removes every empty service cgroup: zinit is going away. */
  releaseAll(): void;
}

export interface CgroupSetup {
  info: CgroupsInfo;
  /** null when cgroups cannot be used: `info.reason` says why */
  cgroups: ServiceCgroups | null;
}

export interface SetUpOptions {
  mode: "standalone" | "container" | "vm";
  env: Record<string, string | undefined>;
  /** told about leftovers found and controllers that could not be enabled */
  warn?: (message: string) => void;
}

/** A kernel thread, or a process gone meanwhile: nothing to move. */
function isKernelThread(pid: number): boolean {
  const stat = readText(`/proc/${pid}/stat`);
  return stat === null || isKernelThreadStat(stat);
}

const unavailable = (reason: string): CgroupSetup => ({ info: { enabled: false, path: null, reason, controllers: [] }, cgroups: null });
const codeOf = (err: unknown) => (err as { code?: string }).code ?? String((err as Error).message ?? err);

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function readPids(path: string): number[] {
  const text = readText(path);
  return text === null ? [] : text.split("\n").filter((l) => l !== "").map(Number);
}

function words(path: string): string[] {
  return (readText(path) ?? "").trim().split(/\s+/).filter((w) => w !== "");
}

/**
 * Finds the cgroup v2 hierarchy zinit may use and sets it up: a leaf for zinit,
 * the controllers enabled for the services, leftovers of an earlier server
 * removed. Never throws: what stands in the way is the reason in `info`.
 */
export function setUpCgroups(opts: SetUpOptions): CgroupSetup {
  const warn = opts.warn ?? (() => {});
  const switched = opts.env.ZINIT_CGROUPS;
  if (switched !== undefined && ["off", "0", "no", "false"].includes(switched.toLowerCase())) {
    return unavailable(`turned off (ZINIT_CGROUPS=${switched})`);
  }
  const procCgroup = readText("/proc/self/cgroup");
  const mountinfo = readText("/proc/self/mountinfo");
  if (procCgroup === null || mountinfo === null) return unavailable("cannot read /proc/self/cgroup and /proc/self/mountinfo");
  const mounts = cgroupMounts(mountinfo);
  if (mounts.v2.length === 0) return unavailable(mounts.v1 ? "only cgroup v1 is mounted" : "no cgroup2 file system is mounted");
  const path = v2PathOf(procCgroup);
  if (path === null) return unavailable("this process is in no cgroup v2");
  const found = cgroupDirectory(path, mounts.v2);
  if (!found) return unavailable(`its cgroup ${path} is outside every cgroup2 mount`);
  if (found.mount.readOnly) return unavailable(`${found.mount.mountPoint} is mounted read-only`);
  // A server started again (after a crash, under pid1) already lives in our leaf.
  const base = basename(found.dir) === SELF_CGROUP ? dirname(found.dir) : found.dir;
  const offered = words(`${base}/cgroup.controllers`).filter((c) => (WANTED_CONTROLLERS as readonly string[]).includes(c));
  if (offered.length === 0) {
    const none = `none of the ${WANTED_CONTROLLERS.join(", ")} controllers is available in ${base}`;
    return unavailable(mounts.v1 ? `${none}: this host gives them to cgroup v1 (a hybrid v1/v2 layout)` : none);
  }
  // Processes outside our PID namespace read as 0; standalone, anyone but us is foreign.
  const present = readPids(`${base}/cgroup.procs`);
  const foreign = present.filter((p) => p === 0 || (opts.mode === "standalone" && p !== process.pid));
  if (foreign.length > 0) {
    const who = foreign.includes(0) ? "processes outside zinit's PID namespace" : `other processes (pid ${foreign.slice(0, 3).join(", ")})`;
    return unavailable(`${base} is shared with ${who}: give zinit a cgroup of its own`);
  }
  const leaf = `${base}/${SELF_CGROUP}`;
  try {
    mkdirSync(leaf, { recursive: true });
  } catch (err) {
    return unavailable(`cannot create ${leaf}: ${codeOf(err)}`);
  }
  // Into the leaf: ourselves, and under pid1 every process of the namespace in
  // BASE (pid1 itself; `docker exec` processes join pid1's cgroup later). The
  // kernel threads of a VM's root cgroup stay where the kernel keeps them.
  const movers = opts.mode === "standalone" ? [process.pid] : present.filter((p) => p !== 0 && !isKernelThread(p));
  for (const pid of movers) {
    try {
      writeFileSync(`${leaf}/cgroup.procs`, String(pid));
    } catch (err) {
      if (pid === process.pid) return unavailable(`cannot move zinit into ${leaf}: ${codeOf(err)}`);
    }
  }
  const failed: string[] = [];
  for (const c of WANTED_CONTROLLERS) {
    if (!offered.includes(c)) continue;
    try {
      writeFileSync(`${base}/cgroup.subtree_control`, `+${c}`);
    } catch (err) {
      failed.push(`${c} (${codeOf(err)})`);
    }
  }
  if (failed.length > 0) warn(`cgroups: cannot enable ${failed.join(", ")} in ${base}/cgroup.subtree_control`);
  const enabled = words(`${base}/cgroup.subtree_control`).filter((c) => (WANTED_CONTROLLERS as readonly string[]).includes(c));
  const cgroups = new HostCgroups(base, new Set(enabled));
  cgroups.clearLeftovers(warn);
  return { info: { enabled: true, path: base, reason: null, controllers: enabled.sort() }, cgroups };
}

const EMPTY_CHECK_FIRST_MS = 50;
const EMPTY_CHECK_MAX_MS = 1_000;

class HostCgroups implements ServiceCgroups {
  constructor(
    private readonly base: string,
    private readonly controllers: ReadonlySet<string>,
  ) {}

  private dir(name: string): string {
    return `${this.base}/${serviceCgroupName(name)}`;
  }

  /** Cgroups of services a previous server left: killed if anything lives there, removed. */
  clearLeftovers(warn: (m: string) => void): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.base).filter((n) => n.endsWith(".service"));
    } catch {}
    for (const n of names) {
      const dir = `${this.base}/${n}`;
      if (this.populatedAt(dir)) {
        warn(`cgroups: ${dir} still held processes of an earlier run; killing them`);
        this.killAt(dir, null);
      }
      try {
        rmdirSync(dir);
      } catch {}
    }
  }

  prepare(name: string, resources: Resources | null): { path: string; unenforced: string[] } {
    const dir = this.dir(name);
    // Afresh for each run: counters (cpu, OOM kills) and limits start clean.
    if (!this.make(dir)) {
      try {
        rmdirSync(dir);
      } catch (err) {
        const code = codeOf(err);
        if (code === "EBUSY") {
          this.killAt(dir, null);
          throw new ZinitError("failed", `cgroup ${dir} still held processes of an earlier run; they were killed`);
        }
        if (code !== "ENOENT") throw new ZinitError("failed", `cannot remove cgroup ${dir}: ${code}`);
      }
      this.make(dir);
    }
    const { writes, unenforced } = limitWrites(resources, this.controllers, true);
    return { path: dir, unenforced: [...unenforced, ...this.write(dir, writes)] };
  }

  /** mkdir; false when it is already there (an earlier run's). */
  private make(dir: string): boolean {
    try {
      mkdirSync(dir);
      return true;
    } catch (err) {
      if (codeOf(err) === "EEXIST") return false;
      throw new ZinitError("failed", `cannot create cgroup ${dir}: ${codeOf(err)}`);
    }
  }

  apply(name: string, resources: Resources | null): string[] {
    const { writes, unenforced } = limitWrites(resources, this.controllers, false);
    return [...unenforced, ...this.write(this.dir(name), writes)];
  }

  private write(dir: string, writes: [string, string][]): string[] {
    const problems: string[] = [];
    for (const [file, value] of writes) {
      try {
        writeFileSync(`${dir}/${file}`, value);
      } catch (err) {
        problems.push(`${file} = ${value} (${codeOf(err)})`);
      }
    }
    return problems;
  }

  populated(name: string): boolean {
    return this.populatedAt(this.dir(name));
  }

  private populatedAt(dir: string): boolean {
    const text = readText(`${dir}/cgroup.events`);
    return text !== null && parseFlatKeyed(text).get("populated") === 1;
  }

  oomKills(name: string): number {
    const text = readText(`${this.dir(name)}/memory.events`);
    return text === null ? 0 : (parseFlatKeyed(text).get("oom_kill") ?? 0);
  }

  signal(name: string, pgid: number, signal: string): void {
    try {
      process.kill(-pgid, signal as NodeJS.Signals);
    } catch {}
    for (const pid of readPids(`${this.dir(name)}/cgroup.procs`)) {
      try {
        if (getpgid(pid) !== pgid) process.kill(pid, signal as NodeJS.Signals);
      } catch {
        // gone meanwhile
      }
    }
  }

  kill(name: string, pgid: number): void {
    this.killAt(this.dir(name), pgid);
  }

  /**
   * cgroup.kill (Linux 5.14) kills the whole cgroup in one step, forks in flight
   * included. Before it: SIGKILL each process listed, a few rounds, for those
   * forked meanwhile.
   */
  private killAt(dir: string, pgid: number | null): void {
    try {
      writeFileSync(`${dir}/cgroup.kill`, "1");
      return;
    } catch {}
    if (pgid !== null) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {}
    }
    for (let round = 0; round < 5; round++) {
      const pids = readPids(`${dir}/cgroup.procs`);
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  }

  watchEmpty(name: string, onEmpty: () => void): (() => void) | null {
    const dir = this.dir(name);
    if (!this.populatedAt(dir)) return null;
    let watcher: FSWatcher | null = null;
    let timer: Timer | null = null;
    let delay = EMPTY_CHECK_FIRST_MS;
    let done = false;
    const stop = () => {
      done = true;
      watcher?.close();
      watcher = null;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    };
    const check = () => {
      if (done || this.populatedAt(dir)) return false;
      stop();
      onEmpty();
      return true;
    };
    // Polled only where inotify cannot watch the file.
    const poll = () => {
      timer = setTimeout(() => {
        timer = null;
        if (!check()) poll();
      }, delay);
      delay = Math.min(delay * 2, EMPTY_CHECK_MAX_MS);
    };
    try {
      watcher = watch(`${dir}/cgroup.events`, () => void check());
      watcher.on("error", () => {
        watcher?.close();
        watcher = null;
        if (!check()) poll();
      });
    } catch {
      poll();
    }
    // It may have emptied before the watch was in place.
    if (!this.populatedAt(dir)) {
      stop();
      return null;
    }
    return stop;
  }

  figures(name: string, withProcesses = true): CgroupFigures | null {
    const dir = this.dir(name);
    // cpu.stat is there whatever the controllers: a missing one means no cgroup.
    const stat = readText(`${dir}/cpu.stat`);
    if (stat === null) return null;
    const memory = Number((readText(`${dir}/memory.current`) ?? "0").trim()) || 0;
    const usec = parseFlatKeyed(stat).get("usage_usec") ?? 0;
    const pidsCurrent = readText(`${dir}/pids.current`);
    const procs = withProcesses || pidsCurrent === null ? readPids(`${dir}/cgroup.procs`) : [];
    const processes = (withProcesses ? procs : []).map((pid) => {
      const cmdline = readText(`/proc/${pid}/cmdline`) ?? "";
      const comm = (readText(`/proc/${pid}/comm`) ?? "?").trim();
      return { pid, cmd: commandLine(cmdline.slice(0, 4096), comm) };
    });
    return {
      memory_bytes: memory,
      cpu_ms: Math.round(usec / 1000),
      pids: pidsCurrent === null ? procs.length : Number(pidsCurrent.trim()) || 0,
      processes,
    };
  }

  release(name: string): void {
    try {
      rmdirSync(this.dir(name));
    } catch {}
  }

  releaseAll(): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.base).filter((n) => n.endsWith(".service"));
    } catch {}
    for (const n of names) {
      try {
        rmdirSync(`${this.base}/${n}`);
      } catch {}
    }
  }
}
