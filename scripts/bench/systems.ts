/**
 * The two systems under test, zinit and supervisord, behind one interface: each
 * gets its configuration written from the same service specs into a dir of its
 * own, is started as a child of the benchmark, asked over its own API how many
 * services run, and stopped with SIGTERM. Nothing touches /run/zinit.sock or
 * /etc/zinit: every server has its own socket in its dir.
 */
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ZinitClient } from "../../src/sdk/client.ts";
import type { StateEvent } from "../../src/sdk/protocol/types.ts";
import { ZINIT } from "../../test/helpers/paths.ts";
import { countChildren } from "../../test/helpers/proc.ts";
import { type TomlSection, unitFile } from "../../test/helpers/units.ts";
import { fmt } from "./stats.ts";
import { now, sleep } from "./timing.ts";

export { ZINIT };
/** the executable as the report shows it */
export const REL_ZINIT = "dist/zinit";
/** A command line as the report shows it: the executable relative to the repository. */
export const showCmd = (c: string): string => c.replace(ZINIT, REL_ZINIT);
/** pause between two "is everything running?" polls */
export const POLL_GAP_MS = 100;

export type Kind = "zinit" | "supervisord";
export const KINDS: Kind[] = ["zinit", "supervisord"];

export interface ServiceSpec {
  name: string;
  /** argv of the service */
  exec: string[];
  requires?: string[];
  /** supervisord only: start order */
  priority?: number;
  oneshot?: boolean;
  autostart?: boolean;
  health?: { port: number };
  /** supervisord only: where stdout goes (default AUTO, a file in childlogdir) */
  logfile?: string;
}

const shown = (p: string) => p; // the exact paths are part of the command

export function zinitToml(s: ServiceSpec): string {
  const sections: Record<string, TomlSection> = {
    service: { exec: s.exec, ...(s.oneshot ? { oneshot: true } : {}), ...(s.autostart === false ? { status: "stop" } : {}) },
  };
  if (s.requires?.length) sections.dependencies = { requires: s.requires };
  sections.lifecycle = { restart_delay_ms: 0 };
  if (s.health) sections.health = { type: "tcp", target: `127.0.0.1:${s.health.port}`, interval_ms: 1000 };
  sections.logging = { forward: false };
  return unitFile(sections);
}
/** supervisord's config is read with ConfigParser interpolation: `%` must be doubled. */
export function svCommand(argv: string[]): string {
  const quoted = argv.map((a) => (/^[\w./:=@+-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, "\\$1")}"`));
  return quoted.join(" ").replace(/%/g, "%%");
}
export function svProgram(s: ServiceSpec): string {
  const lines = [`[program:${s.name}]`, `command=${svCommand(s.exec)}`, "startsecs=0"];
  lines.push(s.oneshot ? "autorestart=false" : "autorestart=true");
  if (s.autostart === false) lines.push("autostart=false");
  if (s.priority !== undefined) lines.push(`priority=${s.priority}`);
  if (s.logfile) lines.push(`stdout_logfile=${s.logfile}`, "stdout_logfile_maxbytes=0", "stdout_logfile_backups=0");
  return lines.join("\n") + "\n";
}
/** A whole supervisord.conf for `services`, with its socket and logs in `dir`. */
export function svConfig(dir: string, services: ServiceSpec[]): string {
  return `[unix_http_server]
file=${dir}/supervisor.sock
[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}/logs
minfds=8192
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://${dir}/supervisor.sock

${services.map(svProgram).join("\n")}`;
}

export async function xmlrpc(sock: string, method: string, params: string[] = []): Promise<string> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value>${p}</value></param>`)
    .join("")}</params></methodCall>`;
  const res = await fetch("http://localhost/RPC2", {
    method: "POST",
    body,
    headers: { "Content-Type": "text/xml" },
    unix: sock,
  } as RequestInit);
  const text = await res.text();
  if (text.includes("<fault>")) throw new Error(`${method}: ${text.replace(/\s+/g, " ").slice(0, 300)}`);
  return text;
}
const xs = (s: string) => `<string>${s}</string>`;

export class Sut {
  readonly kind: Kind;
  readonly dir: string;
  readonly sock: string;
  readonly command: string;
  readonly proc: Subprocess;
  readonly spawnedAt: number;
  #client: ZinitClient | null = null;
  #events: StateEvent[] = [];
  #eventWaiters: (() => void)[] = [];
  #eventIter: AsyncIterableIterator<StateEvent> | null = null;

  private constructor(kind: Kind, dir: string, sock: string, command: string, proc: Subprocess, spawnedAt: number) {
    this.kind = kind;
    this.dir = dir;
    this.sock = sock;
    this.command = command;
    this.proc = proc;
    this.spawnedAt = spawnedAt;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Writes the configuration of `services` into `base`/KIND-LABEL and starts the server. */
  static start(base: string, kind: Kind, label: string, services: ServiceSpec[]): Sut {
    const dir = join(base, `${kind}-${label}`);
    mkdirSync(dir, { recursive: true });
    let argv: string[];
    let sock: string;
    if (kind === "zinit") {
      mkdirSync(join(dir, "conf"));
      for (const s of services) writeFileSync(join(dir, "conf", `${s.name}.toml`), zinitToml(s));
      sock = join(dir, "zinit.sock");
      argv = [ZINIT, "server", "--config-dir", join(dir, "conf"), "--socket", sock];
    } else {
      mkdirSync(join(dir, "logs"));
      writeFileSync(join(dir, "supervisord.conf"), svConfig(dir, services));
      sock = join(dir, "supervisor.sock");
      argv = ["supervisord", "-n", "-c", join(dir, "supervisord.conf")];
    }
    const out = openSync(join(dir, "server.out"), "w");
    const t0 = now();
    const proc = Bun.spawn(argv, { stdin: "ignore", stdout: out, stderr: out });
    closeSync(out);
    const shownArgv = kind === "zinit" ? [REL_ZINIT, ...argv.slice(1)] : argv;
    return new Sut(kind, dir, sock, `${shownArgv.join(" ")} >${shown(join(dir, "server.out"))} 2>&1`, proc, t0);
  }

  async client(): Promise<ZinitClient> {
    if (this.#client && !this.#client.closed) return this.#client;
    this.#client = await ZinitClient.connect(this.sock);
    return this.#client;
  }

  /** How many services the server reports as running; 0 while its socket is not up. */
  async countRunning(): Promise<number> {
    try {
      if (this.kind === "zinit") return (await (await this.client()).list()).filter((s) => s.state === "running").length;
      const xml = await xmlrpc(this.sock, "supervisor.getAllProcessInfo");
      return (xml.match(/<name>statename<\/name>\s*<value><string>RUNNING<\/string>/g) ?? []).length;
    } catch {
      return 0;
    }
  }

  /**
   * Waits until `n` services run; ms since the server was spawned. First, without
   * asking the server anything, until `n` live `sleep` children of the server show
   * in /proc (`spawned`); then the server's own API is polled, with POLL_GAP_MS
   * between polls, until it reports `n` running (`ms`). Polling the API from the
   * start would slow the server down while it starts: one getAllProcessInfo of
   * 1,000 programs keeps supervisord busy for over half a second.
   */
  async waitRunning(n: number, timeoutMs = 180_000): Promise<{ ms: number; polls: number; spawned: number }> {
    let polls = 0;
    let spawned = NaN;
    for (;;) {
      const c = countChildren(this.pid, "sleep");
      const t = now() - this.spawnedAt;
      if (c >= n) {
        spawned = t;
        break;
      }
      if (t > timeoutMs) throw new Error(`${this.kind}: only ${c} of ${n} spawned after ${fmt(t / 1000)} s`);
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} exited (${this.proc.exitCode}); see ${this.dir}/server.out`);
      await sleep(POLL_GAP_MS);
    }
    for (;;) {
      polls++;
      const c = await this.countRunning();
      const t = now() - this.spawnedAt;
      if (c >= n) return { ms: t, polls, spawned };
      if (t > timeoutMs) throw new Error(`${this.kind}: only ${c} of ${n} running after ${fmt(t / 1000)} s`);
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} exited (${this.proc.exitCode}); see ${this.dir}/server.out`);
      await sleep(POLL_GAP_MS);
    }
  }

  async pidOf(name: string): Promise<number | null> {
    if (this.kind === "zinit") return (await (await this.client()).status(name)).pid;
    const xml = await xmlrpc(this.sock, "supervisor.getProcessInfo", [xs(name)]);
    const m = xml.match(/<name>pid<\/name>\s*<value><int>(\d+)<\/int>/);
    return m && m[1] !== "0" ? Number(m[1]) : null;
  }

  async startService(name: string): Promise<void> {
    if (this.kind === "zinit") await (await this.client()).start(name);
    else await xmlrpc(this.sock, "supervisor.startProcess", [xs(name), "<boolean>0</boolean>"]);
  }

  /** zinit only: records every state change from now on. */
  async subscribe(): Promise<void> {
    const client = await this.client();
    this.#eventIter = client.events();
    const first = this.#eventIter.next(); // opens the stream
    void (async () => {
      try {
        let r = await first;
        while (!r.done) {
          this.#events.push({ ...r.value, at: String(now()) });
          for (const w of this.#eventWaiters.splice(0)) w();
          r = await this.#eventIter!.next();
        }
      } catch {}
    })();
    await sleep(300); // the subscription is in place well before anything is measured
  }
  /** Resolves with the local receipt time (performance.now()) of the first event after `from` matching `pred`. */
  async waitEvent(pred: (e: StateEvent) => boolean, fromIndex: number, timeoutMs = 10_000): Promise<number> {
    const deadline = now() + timeoutMs;
    for (;;) {
      for (let i = fromIndex; i < this.#events.length; i++) if (pred(this.#events[i]!)) return Number(this.#events[i]!.at);
      if (now() > deadline) throw new Error("timed out waiting for an event");
      await new Promise<void>((r) => {
        this.#eventWaiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  get eventCount(): number {
    return this.#events.length;
  }

  /** SIGTERM, then ms until the server process has exited. */
  async terminate(timeoutMs = 120_000): Promise<{ ms: number; code: number | null }> {
    await this.#eventIter?.return?.();
    await this.#client?.close();
    const t0 = now();
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), timeoutMs);
    const code = await this.proc.exited;
    clearTimeout(timer);
    return { ms: now() - t0, code };
  }
}
