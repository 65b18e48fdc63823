/**
 * Reads the facts that tell a container's PID namespace from a machine's own:
 * the name of PID 2 (kthreadd on a machine; absent or some process in a
 * container, whose PID namespace shows no kernel threads) and the markers
 * container runtimes leave. Never throws: what cannot be read counts as absent.
 */
import { existsSync, readFileSync } from "node:fs";

/** The command name of PID 2 from /proc/2/stat ("2 (kthreadd) S 0 ..."), or null. */
export function readPid2Name(): string | null {
  try {
    const stat = readFileSync("/proc/2/stat", "utf8");
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    return open >= 0 && close > open ? stat.slice(open + 1, close) : null;
  } catch {
    return null;
  }
}

/** Docker's and podman's files, and the `container` variable systemd-style runtimes set. */
export function readContainerMarkers(env: Record<string, string | undefined> = process.env): string[] {
  const found = ["/.dockerenv", "/run/.containerenv"].filter((f) => existsSync(f));
  if (env.container) found.push(`container=${env.container}`);
  return found;
}
