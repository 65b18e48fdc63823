/**
 * Which mode zinit-pid1 runs in, decided from facts read elsewhere (pure).
 *
 * Asked explicitly (`--container`, ZINIT_CONTAINER), it obeys. Otherwise, as
 * PID 1, it looks: VM mode is for the init of the machine's own PID namespace
 * only, where the kernel's threads are visible and kthreadd is PID 2; a
 * container's PID namespace has no kernel threads, and container runtimes leave
 * markers. Running VM mode by mistake inside a container mounts /sys, /dev and
 * /run and ends with reboot(2), which kills the container by a signal instead of
 * exiting 0, so any sign of a container wins. Not PID 1 and not asked: an error,
 * since guessing there could start a second init on a host.
 */
export type Pid1Mode = "container" | "vm";

export interface ModeFacts {
  /** `--container` was given */
  containerFlag: boolean;
  /** the value of ZINIT_CONTAINER, undefined when unset */
  envValue: string | undefined;
  /** we are PID 1 of our PID namespace */
  isPid1: boolean;
  /** our pid, for the error message */
  pid: number;
  /** the command name of PID 2 (/proc/2/stat), null when there is no PID 2 */
  pid2Name: string | null;
  /** container markers found: "/.dockerenv", "/run/.containerenv", "container=podman", ... */
  markers: string[];
}

export type ModeDecision =
  | { mode: Pid1Mode; why: string; notes: string[] }
  | { error: string };

const ON = new Set(["1", "true", "yes", "on"]);
const OFF = new Set(["0", "false", "no", "off"]);

export function decideMode(f: ModeFacts): ModeDecision {
  const notes: string[] = [];
  if (f.containerFlag) return { mode: "container", why: "--container given", notes };
  const env = f.envValue?.trim().toLowerCase() ?? "";
  if (ON.has(env)) return { mode: "container", why: `ZINIT_CONTAINER=${f.envValue}`, notes };
  if (OFF.has(env)) {
    if (!f.isPid1) {
      return { error: `ZINIT_CONTAINER=${f.envValue} asks for VM mode, which needs PID 1 (this is pid ${f.pid}); unset it and pass --container to run under another init` };
    }
    return { mode: "vm", why: `ZINIT_CONTAINER=${f.envValue}`, notes };
  }
  // A value we do not know is not a reason to refuse to boot: detect instead.
  if (env !== "") notes.push(`ZINIT_CONTAINER=${JSON.stringify(f.envValue)} is neither 1/true/yes nor 0/false/no; ignored`);
  if (!f.isPid1) {
    return {
      error: `not PID 1 (this is pid ${f.pid}): VM mode needs PID 1; pass --container (or ZINIT_CONTAINER=1) to run in container mode under another init`,
    };
  }
  const signs: string[] = [];
  if (f.pid2Name !== "kthreadd") signs.push(`PID 2 is not kthreadd (${f.pid2Name === null ? "there is no PID 2" : `it is ${f.pid2Name}`})`);
  for (const m of f.markers) signs.push(m.startsWith("/") ? `${m} exists` : `${m} is in the environment`);
  if (signs.length > 0) return { mode: "container", why: signs.join("; "), notes };
  return { mode: "vm", why: "PID 1 of the machine's own PID namespace (kthreadd is PID 2, no container marker)", notes };
}
