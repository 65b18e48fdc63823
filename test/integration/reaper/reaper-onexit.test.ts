/**
 * ChildReaper.spawn with the caller's own onExit (how every service is spawned):
 * the caller hears each exit once, with its status, after the reaper has let go
 * of the pid; children without an onExit are still let go when `exited` settles.
 */
import { describe, expect, test } from "bun:test";
import { ChildReaper } from "../../../src/server/effects/reaper.ts";

describe("ChildReaper.spawn with an onExit", () => {
  test("each child's own onExit gets its status, with the pid already untracked", async () => {
    const reaper = new ChildReaper();
    const heard: { pid: number; code: number | null; signal: unknown; trackedThen: number }[] = [];
    const done = Promise.withResolvers<void>();
    const spawnOne = (script: string) =>
      reaper.spawn(["sh", "-c", script], {
        stdio: ["ignore", "ignore", "inherit"],
        onExit: (child, code, signal) => {
          heard.push({ pid: child.pid, code, signal, trackedThen: reaper.trackedCount });
          if (heard.length === 3) done.resolve();
        },
      });
    const a = spawnOne("exit 3");
    const b = spawnOne("kill -TERM $$; sleep 5");
    const c = spawnOne("sleep 0.05; exit 0");
    expect(reaper.trackedCount).toBe(3);
    await done.promise;
    const byPid = new Map(heard.map((h) => [h.pid, h]));
    expect(heard).toHaveLength(3);
    expect(byPid.get(a.pid)).toMatchObject({ code: 3, signal: null });
    expect(byPid.get(b.pid)?.signal).toBe("SIGTERM");
    expect(byPid.get(c.pid)).toMatchObject({ code: 0, signal: null });
    // Untracked before its own onExit ran: the last one heard left nothing tracked.
    expect(heard.map((h) => h.trackedThen).sort()).toEqual([0, 1, 2]);
    expect(reaper.trackedCount).toBe(0);
  });

  test("a child without an onExit is untracked by the time its exited settles", async () => {
    const reaper = new ChildReaper();
    const p = reaper.spawn(["sh", "-c", "exit 7"], { stdio: ["ignore", "ignore", "inherit"] });
    expect(reaper.trackedCount).toBe(1);
    expect(await p.exited).toBe(7);
    expect(reaper.trackedCount).toBe(0);
  });
});
