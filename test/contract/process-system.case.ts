/**
 * The contract of a ProcessSystem (src/server/effects/processes.ts), run against
 * the host's real processes and against the in-memory fake the loop's tests use.
 * Each implementation supplies the programs; the suite checks they behave alike.
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../src/sdk/errors.ts";
import type { ServiceConfig } from "../../src/sdk/config/types.ts";
import type { LineSink } from "../../src/server/effects/output.ts";
import type { ProcessEnd, ServiceProcess } from "../../src/server/effects/process.ts";
import type { ProcessSystem } from "../../src/server/effects/processes.ts";

export interface Programs {
  /** prints "one" then "two" on stdout, then lives until signalled */
  sayTwoLines: ServiceConfig;
  /** ends by itself with exit code 3 after ~20 ms */
  exitThreeSoon: ServiceConfig;
  /** ignores SIGTERM */
  ignoresTerm: ServiceConfig;
  /** the leader ends at once; one more member of its group lives on until signalled */
  leavesAChild: ServiceConfig;
  /** an executable that does not exist */
  missing: ServiceConfig;
}

async function until(what: string, cond: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** A sink that wants every line and hands them to `fn` one at a time. */
function eachLine(fn: (stream: "stdout" | "stderr", line: string) => void = () => {}): LineSink {
  return {
    wanted: () => Number.POSITIVE_INFINITY,
    lines: (stream, lines) => {
      for (const line of lines) fn(stream, line);
    },
  };
}

/** spawn, with the exit the system reports as a promise. */
function spawnWatched(ps: ProcessSystem, config: ServiceConfig, sink: LineSink): ServiceProcess & { exited: Promise<ProcessEnd> } {
  let ended!: (end: ProcessEnd) => void;
  const exited = new Promise<ProcessEnd>((resolve) => (ended = resolve));
  return { ...ps.spawn(config, { ...sink, exited: ended }), exited };
}

export function processSystemContract(label: string, make: () => ProcessSystem, programs: Programs): void {
  describe(`ProcessSystem contract: ${label}`, () => {
    test("spawn gives a live group; its output reaches the sink line by line, in order", async () => {
      const ps = make();
      const lines: string[] = [];
      const p = spawnWatched(ps, programs.sayTwoLines, eachLine((stream, line) => lines.push(`${stream}:${line}`)));
      expect(p.pid).toBeGreaterThan(0);
      expect(ps.groupAlive(p.pid)).toBe(true);
      await until("two lines", () => lines.length === 2);
      expect(lines).toEqual(["stdout:one", "stdout:two"]);
      expect(ps.signalGroup(p.pid, "SIGTERM")).toBe(true);
      expect(await p.exited).toEqual({ code: null, signal: "SIGTERM" });
      await until("the group gone", () => !ps.groupAlive(p.pid));
      expect(ps.signalGroup(p.pid, "SIGTERM")).toBe(false);
    });

    test("an exit by itself is reported with its code and no signal", async () => {
      const ps = make();
      const p = spawnWatched(ps, programs.exitThreeSoon, eachLine());
      expect(await p.exited).toEqual({ code: 3, signal: null });
      await until("the group gone", () => !ps.groupAlive(p.pid));
    });

    test("a trapped SIGTERM leaves it running; SIGKILL ends it", async () => {
      const ps = make();
      const lines: string[] = [];
      const p = spawnWatched(ps, programs.ignoresTerm, eachLine((_s, l) => lines.push(l)));
      await until("ready", () => lines.includes("ready"));
      ps.signalGroup(p.pid, "SIGTERM");
      const early = await Promise.race([p.exited.then(() => "ended"), Bun.sleep(150).then(() => "alive")]);
      expect(early).toBe("alive");
      ps.signalGroup(p.pid, "SIGKILL");
      expect(await p.exited).toEqual({ code: null, signal: "SIGKILL" });
    });

    test("the group outlives its leader until a signal reaches the rest", async () => {
      const ps = make();
      const p = spawnWatched(ps, programs.leavesAChild, eachLine());
      expect((await p.exited).code).toBe(0);
      expect(ps.groupAlive(p.pid)).toBe(true);
      expect(ps.signalGroup(p.pid, "SIGTERM")).toBe(true);
      await until("the group gone", () => !ps.groupAlive(p.pid));
    });

    test("a missing executable throws a ZinitError saying so", () => {
      const ps = make();
      let err: unknown;
      try {
        ps.spawn(programs.missing, { ...eachLine(), exited: () => {} });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ZinitError);
      expect((err as ZinitError).message).toMatch(/^spawn failed: .*: no such file$/);
    });
  });
}
