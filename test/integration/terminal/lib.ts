/**
 * A real terminal for the tests: a tmux server of its own (one socket per test,
 * `tmux -L NAME`, killed at the end), a pane running a command, keys sent with
 * send-keys and the screen read with capture-pane. Every wait polls the screen
 * until a deadline instead of sleeping a fixed time, so a loaded machine only
 * makes the tests slower, not wrong.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

let counter = 0;

export const hasTmux = spawnSync("sh", ["-c", "command -v tmux"]).status === 0;

export interface TerminalOptions {
  width?: number;
  height?: number;
  /** variables for the command (added to this process's environment) */
  env?: Record<string, string>;
  cwd?: string;
}

/** How long a wait for the screen may take before the test fails, showing the screen. */
const DEADLINE_MS = 15_000;

export class Terminal {
  readonly socket = `zinit-test-${process.pid}-${++counter}`;
  #alive = false;
  #socketPath = "";

  /** Starts `argv` in a new pane of its own tmux server. */
  static start(argv: string[], opts: TerminalOptions = {}): Terminal {
    const t = new Terminal();
    t.#start(argv, opts);
    return t;
  }

  #start(argv: string[], opts: TerminalOptions): void {
    const env = Object.entries({ TERM: "xterm-256color", ...opts.env }).map(([k, v]) => `${k}=${v}`);
    // -f /dev/null: no user configuration; the command runs through env so the pane
    // gets exactly these variables on top of ours.
    this.tmux(
      "-f", "/dev/null", "new-session", "-d", "-s", "main",
      "-x", String(opts.width ?? 100), "-y", String(opts.height ?? 30),
      ...(opts.cwd ? ["-c", opts.cwd] : []),
      "env", ...env, ...argv,
    );
    this.#alive = true;
    this.#socketPath = this.tmux("display-message", "-p", "#{socket_path}").trim();
    // The pane stays after its command ends, so an exit can still be looked at.
    this.tmux("set-option", "-t", "main", "remain-on-exit", "on");
  }

  /** Runs a tmux command against this terminal's server; throws with its stderr on failure. */
  tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** The screen as text, one line per row, trailing blanks cut. */
  screen(): string {
    return this.tmux("capture-pane", "-p", "-t", "main").replace(/\n$/, "");
  }

  /** Rows and columns of the pane as tmux sees them. */
  size(): { width: number; height: number } {
    const [w, h] = this.tmux("display-message", "-p", "-t", "main", "#{pane_width} #{pane_height}").trim().split(" ");
    return { width: Number(w), height: Number(h) };
  }

  /** Keys by tmux name (Enter, Tab, C-c, Up, Escape, BSpace, PPage...), each its own write. */
  keys(...names: string[]): void {
    for (const k of names) this.tmux("send-keys", "-t", "main", k);
  }

  /** Text typed literally, as one write. */
  type(text: string): void {
    this.tmux("send-keys", "-t", "main", "-l", text);
  }

  /** Types `text`, then waits until the screen shows it (so the next key is read on its own). */
  async typeSeen(text: string, where: RegExp | string = text): Promise<string> {
    this.type(text);
    return this.waitFor(where, `the typed ${JSON.stringify(text)} on screen`);
  }

  /** Waits until the screen matches, returning it; fails showing the last screen. */
  async waitFor(match: RegExp | string | ((screen: string) => boolean), what = String(match), timeoutMs = DEADLINE_MS): Promise<string> {
    const test = typeof match === "function" ? match : (s: string) => (typeof match === "string" ? s.includes(match) : match.test(s));
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      last = this.screen();
      if (test(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${last}`);
      await Bun.sleep(40);
    }
  }

  /**
   * The pane's command has ended: its exit status. tmux can take seconds to reap a
   * pane's process on a busy machine, so a process that is already a zombie counts
   * as ended, its status read from /proc (field 52 of stat, as waitpid reports it).
   */
  async waitExit(timeoutMs = DEADLINE_MS): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const pid = this.tmux("display-message", "-p", "-t", "main", "#{pane_pid}").trim();
    for (;;) {
      const zombie = exitedStatus(pid);
      if (zombie !== undefined) return zombie;
      const [dead, status, signal] = this.tmux("display-message", "-p", "-t", "main", "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}").trim().split(":");
      if (dead === "1" && status !== "") return Number(status);
      if (dead === "1" && signal !== "") throw new Error(`the command was killed by signal ${signal}; the screen:\n${this.screen()}`);
      if (Date.now() > deadline) throw new Error(`the command did not end within ${timeoutMs} ms; the screen:\n${this.screen()}`);
      await Bun.sleep(40);
    }
  }

  /**
   * Waits until the program in the pane has put the terminal in raw mode (no
   * line editing by the terminal): from then on every key reaches it as typed. A
   * key sent before could be taken by the terminal's own line discipline (Ctrl-D
   * as end of input, for one) and never arrive.
   */
  async waitRaw(timeoutMs = DEADLINE_MS): Promise<void> {
    const tty = this.tmux("display-message", "-p", "-t", "main", "#{pane_tty}").trim();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = spawnSync("stty", ["-a", "-F", tty], { encoding: "utf8" });
      if (/(^|\s)-icanon(\s|$)/.test(r.stdout)) return;
      if (Date.now() > deadline) throw new Error(`the terminal never left canonical mode: ${r.stdout}${r.stderr}`);
      await Bun.sleep(20);
    }
  }

  resize(width: number, height: number): void {
    this.tmux("resize-window", "-t", "main", "-x", String(width), "-y", String(height));
  }

  /** Ends the tmux server (and with it the pane's processes, by SIGHUP). */
  kill(): void {
    if (!this.#alive) return;
    this.#alive = false;
    spawnSync("tmux", ["-L", this.socket, "kill-server"]);
    // tmux leaves its socket file behind when killed.
    if (this.#socketPath.includes(this.socket)) rmSync(this.#socketPath, { force: true });
  }
}

/** A shell in a terminal, with a plain `$ ` prompt and no startup files. */
export async function shell(opts: TerminalOptions & { shell?: string[] } = {}): Promise<Terminal> {
  const t = Terminal.start(opts.shell ?? ["bash", "--norc", "--noprofile"], { ...opts, env: { PS1: "$ ", HISTFILE: "/dev/null", ...opts.env } });
  await t.waitFor(/^\$ ?$/m, "the shell prompt");
  return t;
}

/** Lines of a screen that are not blank. */
export function nonBlank(screen: string): string[] {
  return screen.split("\n").filter((l) => l.trim() !== "");
}

/** The exit status of `pid` if it is a zombie (ended, not yet reaped), else undefined. */
function exitedStatus(pid: string): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at field 3, the state.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] !== "Z") return undefined;
  const wait = Number(fields[52 - 3]);
  if ((wait & 0x7f) !== 0) throw new Error(`the command was killed by signal ${wait & 0x7f}`);
  return (wait >> 8) & 0xff;
}
