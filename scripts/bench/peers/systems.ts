/**
 * The supervisors compared in bench/peers.md — zinit, dinit and supervisord —
 * behind one interface: the same service specs written as each one's
 * configuration into a dir of its own, the server started as a child of the
 * benchmark with its own socket, stopped with SIGTERM. Every service runs
 * `sleep 31536001` (or `sh -c` that ends in it), so `ps` tells ours apart.
 *
 * Configurations are chosen so each does the same work: restart at once (zinit
 * restart_delay_ms = 0, dinit restart-delay = 0, supervisord autorestart) and
 * output captured by the supervisor (zinit's ring, dinit's log-type = buffer,
 * supervisord's log files), except where a section says otherwise.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ZINIT } from "../../../test/helpers/paths.ts";
import { svConfig, xmlrpc } from "../systems.ts";
import { sleep } from "../timing.ts";
import type { Dinit } from "./dinit.ts";

export type Peer = "zinit" | "dinit" | "supervisord";

export const SLEEP_ARG = "31536001";

export interface Spec {
  name: string;
  /** default: sleep SLEEP_ARG */
  exec?: string[];
  requires?: string[];
  /** started by an explicit command only */
  manual?: boolean;
  /** supervisord and dinit: where the output goes (zinit keeps it in its ring) */
  logfile?: string;
}

export interface Started {
  peer: Peer;
  proc: Subprocess;
  dir: string;
  /** control socket */
  sock: string;
  /** the server command line, for the report */
  command: string;
}

const execOf = (s: Spec) => s.exec ?? ["sleep", SLEEP_ARG];

function zinitFile(s: Spec): string {
  const lines = ["[service]", `exec = ${JSON.stringify(execOf(s))}`];
  if (s.manual) lines.push('status = "stop"', "oneshot = true");
  if (s.requires?.length) lines.push("[dependencies]", `requires = ${JSON.stringify(s.requires)}`);
  lines.push("[lifecycle]", "restart_delay_ms = 0", "[logging]", "forward = false");
  return `${lines.join("\n")}\n`;
}

/** dinit splits `command` on spaces; an argument with spaces goes in double quotes (the specs here have none inside). */
function dinitFile(s: Spec): string {
  const lines = ["type = process", `command = ${execOf(s).map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ")}`];
  // dinit's default may be to restart (a build option): say it either way.
  lines.push(...(s.manual ? ["restart = false"] : ["restart = true", "restart-delay = 0", "restart-limit-count = 0"]));
  for (const r of s.requires ?? []) lines.push(`depends-on = ${r}`);
  lines.push("log-type = buffer", "log-buffer-size = 102400");
  return `${lines.join("\n")}\n`;
}

function svConf(dir: string, specs: Spec[]): string {
  return svConfig(
    dir,
    specs.map((s) => ({ name: s.name, exec: execOf(s), ...(s.manual ? { autostart: false, oneshot: true } : {}), ...(s.logfile ? { logfile: s.logfile } : {}) })),
  );
}

/** Writes the configuration into `dir` and starts the server. */
export function startPeer(peer: Peer, dir: string, specs: Spec[], dinit: Dinit | null): Started {
  mkdirSync(dir, { recursive: true });
  let argv: string[];
  let sock: string;
  if (peer === "zinit") {
    mkdirSync(join(dir, "conf"));
    for (const s of specs) writeFileSync(join(dir, "conf", `${s.name}.toml`), zinitFile(s));
    sock = join(dir, "zinit.sock");
    argv = [ZINIT, "server", "--config-dir", join(dir, "conf"), "--socket", sock];
  } else if (peer === "dinit") {
    if (dinit === null) throw new Error("dinit is not available");
    mkdirSync(join(dir, "sd"));
    for (const s of specs) writeFileSync(join(dir, "sd", s.name), dinitFile(s));
    // Every service, dependencies first: dinit loads a chain recursively and gives up past a depth limit.
    writeFileSync(join(dir, "sd", "boot"), `type = internal\n${specs.filter((s) => !s.manual).map((s) => `waits-for = ${s.name}\n`).join("")}`);
    sock = join(dir, "dinit.sock");
    argv = [dinit.dinit, "--user", "--quiet", "--services-dir", join(dir, "sd"), "--socket-path", sock, "boot"];
  } else {
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "supervisord.conf"), svConf(dir, specs));
    sock = join(dir, "supervisor.sock");
    argv = ["supervisord", "-n", "-c", join(dir, "supervisord.conf")];
  }
  const out = openSync(join(dir, "server.out"), "w");
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: out, stderr: out, env: { ...process.env, NO_COLOR: "1" } });
  closeSync(out);
  return { peer, proc, dir, sock, command: `${argv.join(" ")} >server.out 2>&1` };
}

/** The children of `pid`, of all its threads. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const s = readFileSync(`/proc/${pid}/task/${t}/children`, "latin1").trim();
      if (s) for (const c of s.split(" ")) out.push(Number(c));
    }
  } catch {}
  return out;
}

/**
 * Counts the live children of a server that have exec'd `sleep`, cheaply enough to
 * poll: a pid once seen as sleep is not read again while it stays a child.
 */
export class SleepCounter {
  private readonly known = new Set<number>();
  constructor(private readonly pid: number) {}

  count(): number {
    const kids = childrenOf(this.pid);
    const live = new Set(kids);
    for (const k of this.known) if (!live.has(k)) this.known.delete(k);
    for (const k of kids) {
      if (this.known.has(k)) continue;
      try {
        const st = readFileSync(`/proc/${k}/stat`, "latin1");
        const close = st.lastIndexOf(")");
        if (st.slice(st.indexOf("(") + 1, close) === "sleep" && st[close + 2] !== "Z") this.known.add(k);
      } catch {}
    }
    return this.known.size;
  }

  pids(): number[] {
    this.count();
    return [...this.known];
  }
}

/** Waits (polling every `gapMs`) until `pred` holds; throws after `timeoutMs`. */
export async function until(what: string, pred: () => boolean, timeoutMs = 180_000, gapMs = 50): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(gapMs);
  }
}

/** SIGTERM, and SIGKILL after `graceMs` if it is still there. */
export async function stopPeer(s: Started, graceMs = 120_000): Promise<void> {
  s.proc.kill("SIGTERM");
  const timer = setTimeout(() => s.proc.kill("SIGKILL"), graceMs);
  await s.proc.exited;
  clearTimeout(timer);
}

/** The peer's own CLI asking for the status of one service. */
export function statusCommand(s: Started, name: string, dinit: Dinit | null): string[] {
  if (s.peer === "zinit") return [ZINIT, "--socket", s.sock, "status", name];
  if (s.peer === "dinit") return [dinit!.dinitctl, "--socket-path", s.sock, "status", name];
  return ["supervisorctl", "-c", join(s.dir, "supervisord.conf"), "status", name];
}

/** Whether the server answers on its socket yet. */
export async function answers(s: Started, dinit: Dinit | null): Promise<boolean> {
  try {
    if (s.peer === "supervisord") return (await xmlrpc(s.sock, "supervisor.getState")).includes("RUNNING");
    const argv = s.peer === "zinit" ? [ZINIT, "--socket", s.sock, "info"] : [dinit!.dinitctl, "--socket-path", s.sock, "list"];
    return Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
  } catch {
    return false;
  }
}
