/**
 * What an init must find mounted (VM mode). /proc is mounted by the
 * pre-init before Bun can start at all; the rest is ours, each only when missing.
 * cgroup2 at /sys/fs/cgroup (once /sys is there) is what gives each service a
 * cgroup of its own; the server sets the hierarchy up (effects/cgroups.ts).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { mount, MS_NOSUID, MS_NODEV, MS_NOEXEC } from "../sys/libc.ts";

interface MountSpec {
  target: string;
  fstype: string;
  flags: number;
  data: string | null;
}

const EARLY_MOUNTS: MountSpec[] = [
  { target: "/proc", fstype: "proc", flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: null },
  { target: "/sys", fstype: "sysfs", flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: null },
  { target: "/dev", fstype: "devtmpfs", flags: MS_NOSUID, data: "mode=0755" },
  { target: "/run", fstype: "tmpfs", flags: MS_NOSUID | MS_NODEV, data: "mode=0755" },
  { target: "/sys/fs/cgroup", fstype: "cgroup2", flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: null },
];

export function mountedTargets(mountsText: string): Set<string> {
  return new Set(mountsText.split("\n").map((l) => l.split(" ")[1]).filter((t): t is string => !!t));
}

/** Mounts what is missing; returns what it mounted and what failed (never throws). */
export function mountEssentials(): { mounted: string[]; failed: string[] } {
  let present = new Set<string>();
  try {
    present = mountedTargets(readFileSync("/proc/self/mounts", "utf8"));
  } catch {}
  const mounted: string[] = [];
  const failed: string[] = [];
  for (const m of EARLY_MOUNTS) {
    if (present.has(m.target)) continue;
    try {
      if (!existsSync(m.target)) mkdirSync(m.target, { recursive: true });
      mount(m.fstype, m.target, m.fstype, m.flags, m.data);
      mounted.push(m.target);
    } catch (err) {
      failed.push(`${m.target}: ${(err as Error).message}`);
    }
  }
  return { mounted, failed };
}
