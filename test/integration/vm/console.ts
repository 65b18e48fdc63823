/**
 * Boots the VM of scripts/vm/run and reads its serial console line by line, each
 * line stamped with the host's clock (ms since QEMU was spawned). Shared by
 * vm.test.ts and scripts/vm/bench.ts. QEMU is exec'd by the run script, so the
 * child's pid is QEMU's pid: `kill()` signals that pid and nothing else.
 */
import { resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../../..");
export const RUN = resolve(REPO, "scripts/vm/run");
export const BUILD = resolve(REPO, "scripts/build-initramfs");

export interface Line {
  /** ms since spawn */
  at: number;
  /** the line without colour and other terminal escape sequences */
  text: string;
  raw: string;
}

// consola colours its lines when its stdout is a terminal, as /dev/console is.
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;

export class VmConsole {
  readonly lines: Line[] = [];
  readonly proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  readonly exited: Promise<number>;
  private readonly t0 = performance.now();
  private waiters: Array<() => void> = [];
  private ended = false;
  /** text after the last newline so far (a prompt), for waitFor */
  partial = "";

  constructor(runArgs: string[]) {
    this.proc = Bun.spawn(["bash", RUN, ...runArgs], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const dec = new TextDecoder();
      let buf = "";
      for await (const chunk of stream) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          this.push(buf.slice(0, i).replace(/\r$/, ""));
          buf = buf.slice(i + 1);
        }
        // A shell prompt waits without a newline: keep it visible to waitFor.
        this.partial = buf.replace(ESCAPES, "");
        this.wake();
      }
      if (buf) this.push(buf);
    };
    const pumps = Promise.all([pump(this.proc.stdout), pump(this.proc.stderr)]);
    this.exited = this.proc.exited.then(async (code) => {
      await pumps.catch(() => {});
      this.ended = true;
      this.wake();
      return code;
    });
  }

  private push(raw: string): void {
    this.lines.push({ at: performance.now() - this.t0, text: raw.replace(ESCAPES, ""), raw });
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** index of the first line from `from` on that matches, or -1 */
  find(re: RegExp, from = 0): number {
    for (let i = from; i < this.lines.length; i++) if (re.test(this.lines[i]!.text)) return i;
    return -1;
  }

  /** Waits for a matching line; throws with the console so far on timeout or QEMU exit. */
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<Line> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = this.find(re, from);
      if (i >= 0) return this.lines[i]!;
      if (re.test(this.partial)) return { at: performance.now() - this.t0, text: this.partial, raw: this.partial };
      if (this.ended) throw new Error(`QEMU exited before ${re} appeared on the console:\n${this.dump()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re}; console:\n${this.dump()}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** QEMU's exit status, or null if it is still running after timeoutMs. */
  async waitExit(timeoutMs: number): Promise<number | null> {
    return Promise.race([this.exited, Bun.sleep(timeoutMs).then(() => null)]);
  }

  dump(): string {
    return this.lines.map((l) => `${(l.at / 1000).toFixed(3).padStart(8)} ${l.text}`).join("\n");
  }

  /** SIGKILL to QEMU (by its pid) if it is still running. */
  kill(): void {
    if (this.ended || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    try {
      process.kill(this.proc.pid, "SIGKILL");
    } catch {}
  }
}

/** Guest uptime printed by the pre-init and by the `ready` oneshot, in seconds. */
export function uptimeOf(line: Line | undefined): number | null {
  const m = line?.text.match(/uptime ([\d.]+)s/);
  return m ? Number(m[1]) : null;
}
