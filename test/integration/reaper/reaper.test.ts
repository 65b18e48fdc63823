/**
 * ChildReaper against real processes: as a child subreaper (double-forked
 * grandchild), and as PID 1 of a fresh PID namespace under an orphan storm
 * while Bun's own children must keep their exit statuses.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const FIXTURES = join(import.meta.dir, "..", "..", "fixtures");
const asRoot = process.getuid!() === 0;

/** Runs a fixture that prints one JSON line; SIGKILLed if it hangs. */
async function runFixture(cmd: string[], timeoutMs = 20_000): Promise<any> {
  const p = Bun.spawn(cmd, { stdio: ["ignore", "pipe", "inherit"], timeout: timeoutMs, killSignal: "SIGKILL" });
  const out = await p.stdout.text();
  expect(await p.exited).toBe(0);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("ChildReaper", () => {
  test("as subreaper, reaps a double-forked grandchild with its exit code and leaves no zombie", async () => {
    const r = await runFixture([process.execPath, join(FIXTURES, "subreaper-double-fork.ts")]);
    expect(r.subreaper).toBe(true);
    // The grandchild really was re-parented to the fixture, not to init.
    expect(r.ppidAfterReparent).toBe(r.pid);
    expect(r.shExit).toBe(0);
    expect(r.exits).toEqual([{ pid: r.grandchild, code: 42, signal: null }]);
    expect(r.zombies).toEqual([]);
  });

  test.skipIf(!asRoot)(
    "as PID 1, own children keep their statuses through 1,000 orphans, and no zombie is left",
    async () => {
      // --kill-child: if unshare is killed on timeout, our PID 1 and so the whole namespace die too.
      const r = await runFixture([
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        "--kill-child=SIGKILL",
        process.execPath,
        join(FIXTURES, "pid1-orphan-storm.ts"),
      ]);
      expect(r.errors).toEqual([]);
      expect(r.own).toHaveLength(20);
      for (const o of r.own) {
        expect(o.error).toBeNull();
        expect(o.got).toEqual(o.expected);
      }
      expect(r.own.filter((o: any) => o.expected.signalCode === "SIGKILL")).toHaveLength(1);
      expect(r.stormExit).toBe(0);

      expect(r.allReaped).toBe(true);
      expect(r.liveReaped).toBe(r.orphans);
      expect(r.orphanFailures).toBe(0);
      expect(r.zombiesAfterLive).toBe(0);

      expect(r.zombiesPiled).toBe(r.orphans);
      expect(r.passReaped).toBe(r.orphans);
      expect(r.zombiesAfterPass).toBe(0);
      expect(r.trackedLeft).toBe(0);

      console.error(
        `reaper: ${r.orphans} live orphans reaped in ${r.liveMs.toFixed(0)} ms (fork-bound); ` +
          `one pass over ${r.passReaped} zombies took ${r.passMs.toFixed(1)} ms`,
      );
    },
  );
});
