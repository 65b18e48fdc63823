/**
 * What services write reaches zinit's own output whole and bounded:
 * - a service's last line, written as it exits on TERM, is forwarded before the
 *   line saying it stopped, and a shutdown never ends with it unread (its pipe's
 *   signal may be handled after its exit: the server used to exit first);
 * - a reader of zinit's stdout that stops reading does not make zinit hold what
 *   it cannot write: forwarded lines are dropped and counted past 1 MiB.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { rpcAt } from "../../helpers/server.ts";
import { outputPipe } from "../../../src/sys/libc.ts";
import { writeServices } from "../../helpers/units.ts";
import { service, startReady, waitFor, waitState } from "./lib.ts";

/** Says "armed" once its TERM trap is set, and "stopping NAME" as it exits on TERM. */
const lastWords = (name: string) => service(`trap 'echo stopping ${name}; exit 0' TERM; echo armed; while :; do sleep 0.05; done`);

describe("a service's last words", () => {
  test("each service's line written on TERM is forwarded before the line saying it stopped, in every shutdown", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    // A race lost now and then: three shutdowns of twelve services each.
    for (let round = 0; round < 3; round++) {
      const s = await startReady(Object.fromEntries(names.map((n) => [n, lastWords(n)])));
      try {
        for (const n of names) await waitState(s, n, "running");
        await waitFor("every trap armed", () => names.every((n) => s.outputOf("stdout").includes(`${n}| armed`)));
        s.proc.kill("SIGTERM");
        expect(await Promise.race([s.proc.exited, Bun.sleep(8000).then(() => null)])).toBe(0);
        // The pump may be a moment behind the exit.
        await waitFor("all services stopped", () => s.outputOf("stdout").includes("all services stopped"));
        const out = s.outputOf("stdout");
        for (const n of names) {
          const said = out.indexOf(`${n}| stopping ${n}\n`);
          const stopped = out.indexOf(`[zinit] ${n}: stopping -> inactive`);
          expect({ round, name: n, said: said >= 0, stopped: stopped >= 0 }).toEqual({ round, name: n, said: true, stopped: true });
          expect(said).toBeLessThan(stopped);
        }
        expect(out.indexOf("all services stopped")).toBeGreaterThan(Math.max(...names.map((n) => out.indexOf(`${n}| stopping ${n}`))));
      } finally {
        await s.stop();
      }
    }
  }, 60_000);
});

describe("a stalled reader of zinit's stdout", () => {
  test("a flood forwarded to it is dropped and counted, not held: the server stays small", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-stalled-"));
    const configDir = join(dir, "services");
    const socket = join(dir, "zinit.sock");
    // 1.5 million lines of 99 bytes, then a word in the ring; USR1 says one line more.
    const flood = `trap 'echo after' USR1; yes ${"a".repeat(98)} | head -c 148500000; echo flood-done; while :; do sleep 0.05; done`;
    Bun.spawnSync(["mkdir", "-p", configDir]);
    writeServices(configDir, { y: service(flood, { logging: { buffer_lines: 10 } }) });
    // Our stdout is a pipe nobody reads until the flood is over.
    const [readEnd, writeEnd] = outputPipe();
    const proc = Bun.spawn([ZINIT, "server", "--config-dir", configDir, "--socket", socket], { stdin: "ignore", stdout: writeEnd, stderr: "ignore", env: { ...process.env, NO_COLOR: "1" } });
    closeSync(writeEnd);
    let pid: number | null = null;
    const call = (method: string, params: unknown) => rpcAt(socket, method, params);
    const logs = async () => (await call("service.logs", { name: "y", lines: 10 })) as { line: string }[];
    const groupOf = async () => ((await call("service.status", { name: "y" })) as { pid: number }).pid;
    try {
      await waitFor("the flood taken in", async () => (await logs()).some((l) => l.line === "flood-done"), 30_000, 50);
      pid = await groupOf();
      const rssMb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))![1]) / 1024;
      // Held, the flood alone would be ~150 MB; the server itself is ~50.
      expect(rssMb).toBeLessThan(110);
      // Now read it all; the next forwarded line brings the count of what was dropped.
      let text = "";
      const reading = (async () => {
        const dec = new TextDecoder();
        for await (const c of Bun.file(readEnd).stream()) text += dec.decode(c, { stream: true });
      })();
      // The loss is said once the backlog is out, with no further line needed.
      await waitFor("the count of dropped lines", () => /zinit\| dropped \d+ forwarded stdout lines while it was backed up\n/.test(text), 10_000);
      expect(Number(/zinit\| dropped (\d+) forwarded/.exec(text)![1])).toBeGreaterThan(100_000);
      await call("service.kill", { name: "y", signal: "SIGUSR1" });
      await waitFor("the line after the flood", () => text.includes("y| after\n"), 10_000);
      expect(text.indexOf("zinit| dropped")).toBeLessThan(text.indexOf("y| after\n"));
      proc.kill("SIGTERM");
      expect(await Promise.race([proc.exited, Bun.sleep(8000).then(() => null)])).toBe(0);
      await reading;
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        if ((await Promise.race([proc.exited, Bun.sleep(8000).then(() => null)])) === null) {
          if (pid !== null) {
            try {
              process.kill(-pid, "SIGKILL");
            } catch {}
          }
          proc.kill("SIGKILL");
          await proc.exited;
        }
      }
      try {
        closeSync(readEnd);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
