/**
 * requires / after / wants / conflicts, targets, unknown references, cycles and
 * the ignore and stop statuses (docs/configuration.md), on real processes.
 * Orders are read from the event stream, which the server emits in the order
 * the transitions happen.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, groupMembers, msBetween, procInfo, recordEvents, rpcError, service, status, target, waitFor, waitState, withServer, type StateEvent } from "./lib.ts";

const SLEEP = ["sleep", "1000"];

function firstIndex(evs: StateEvent[], name: string, to: string, from = 0): number {
  return evs.findIndex((e, i) => i >= from && e.name === name && e.to === to);
}

describe("requires", () => {
  // A requirement with status = "stop" is pulled in, and comes up before its dependent.
  test("starting app pulls in db (status stop); db runs before app", async () => {
    await withServer(
      {
        db: service(SLEEP, { service: { status: "stop" } }),
        app: service(SLEEP, { service: { status: "stop" }, dependencies: { requires: ["db"] } }),
      },
      async (s) => {
        await Bun.sleep(100);
        expect((await status(s, "db")).state).toBe("inactive");
        const rec = await recordEvents(s);
        try {
          await s.rpc("service.start", { name: "app" });
          await waitState(s, "app", "running");
          const db = await waitState(s, "db", "running");
          expect(alive(db.pid!)).toBe(true);
          const evs = rec.events();
          expect(firstIndex(evs, "db", "running")).toBeGreaterThanOrEqual(0);
          expect(firstIndex(evs, "db", "running")).toBeLessThan(firstIndex(evs, "app", "running"));
        } finally {
          rec.close();
        }
      },
    );
  });

  // A dependent waits, blocked and saying why, while a oneshot requirement runs; it starts once that exited 0.
  test("app is blocked 'requires migrate (starting)' until the oneshot migrate exited", async () => {
    await withServer(
      {
        migrate: service("sleep 0.4", { service: { oneshot: true, status: "stop" } }),
        app: service(SLEEP, { dependencies: { requires: ["migrate"] } }),
      },
      async (s) => {
        const blocked = await waitState(s, "app", "blocked");
        expect(blocked.reason).toBe("requires migrate (starting)");
        expect(blocked.pid).toBeNull();
        const app = await waitState(s, "app", "running", undefined, 3000);
        const migrate = await status(s, "migrate");
        expect(migrate.state).toBe("exited");
        expect(Date.parse(app.since)).toBeGreaterThanOrEqual(Date.parse(migrate.since));
      },
    );
  });

  // A requirement in back-off blocks its dependent, naming the requirement's state.
  test("app is blocked 'requires database (starting)' while database backs off", async () => {
    await withServer(
      {
        database: service("exit 1", { lifecycle: { restart_delay_ms: 3000 } }),
        app: service(SLEEP, { dependencies: { requires: ["database"] } }),
      },
      async (s) => {
        await waitState(s, "database", "starting", /restarting in 3000 ms/);
        const app = await waitState(s, "app", "blocked", "requires database (starting)");
        expect(app.pid).toBeNull();
      },
    );
  });

  // A failed requirement keeps its dependent blocked, naming it.
  test("app stays blocked 'requires db (failed)' when db failed", async () => {
    await withServer(
      {
        db: service("exit 1", { lifecycle: { restart: "never" } }),
        app: service(SLEEP, { dependencies: { requires: ["db"] } }),
      },
      async (s) => {
        await waitState(s, "db", "failed", "exit code 1");
        await waitState(s, "app", "blocked", "requires db (failed)");
        await Bun.sleep(200);
        expect((await status(s, "app")).state).toBe("blocked");
      },
    );
  });

  // A requirement on a service that does not exist keeps the dependent blocked, naming it.
  test("requires an unknown service: blocked 'requires unknown service ghost'", async () => {
    await withServer(
      {
        app: service(SLEEP, { dependencies: { requires: ["ghost"] } }),
        other: service(SLEEP),
      },
      async (s) => {
        await waitState(s, "app", "blocked", "requires unknown service ghost");
        await waitState(s, "other", "running");
        await Bun.sleep(200);
        const app = await status(s, "app");
        expect(app.state).toBe("blocked");
        expect(app.pid).toBeNull();
      },
    );
  });

  // A crash of the requirement takes the dependent down (blocked), and both come back by themselves.
  test("db crash: app goes blocked, then both run again with new pids", async () => {
    await withServer(
      {
        db: service(SLEEP, { lifecycle: { restart: "always", restart_delay_ms: 300 } }),
        app: service(SLEEP, { dependencies: { requires: ["db"] } }),
      },
      async (s) => {
        const db1 = await waitState(s, "db", "running");
        const app1 = await waitState(s, "app", "running");
        const rec = await recordEvents(s);
        try {
          process.kill(-db1.pid!, "SIGKILL");
          const blocked = await waitState(s, "app", "blocked", /requires db/);
          expect(blocked.pid).toBeNull();
          expect(alive(app1.pid!)).toBe(false);
          const db2 = await waitFor("db back", async () => {
            const st = await status(s, "db");
            return st.state === "running" && st.pid !== db1.pid ? st : null;
          }, 3000);
          const app2 = await waitFor("app back", async () => {
            const st = await status(s, "app");
            return st.state === "running" && st.pid !== app1.pid ? st : null;
          }, 3000);
          expect(alive(db2.pid!)).toBe(true);
          expect(alive(app2.pid!)).toBe(true);
          const evs = rec.events();
          const appPath = evs.filter((e) => e.name === "app").map((e) => e.to);
          expect(appPath).toEqual(["stopping", "blocked", "running"]);
          // app came back only after db did
          expect(firstIndex(evs, "db", "running")).toBeLessThan(firstIndex(evs, "app", "running"));
        } finally {
          rec.close();
        }
      },
    );
  });

  // A user stop of the requirement stops the dependent first; the dependent ends inactive and stays down.
  test("user stop of db stops app first; both end inactive and stay down", async () => {
    await withServer(
      {
        // app takes 200 ms to go after TERM: db must not be signalled before app is gone
        db: service(SLEEP),
        app: service("trap 'sleep 0.2; exit 0' TERM; while :; do sleep 0.05; done", { dependencies: { requires: ["db"] } }),
      },
      async (s) => {
        await waitState(s, "db", "running");
        const app1 = await waitState(s, "app", "running");
        const rec = await recordEvents(s);
        try {
          await s.rpc("service.stop", { name: "db" });
          await waitState(s, "db", "inactive", undefined, 3000);
          const app = await waitState(s, "app", "inactive");
          expect(app.reason).toContain("requires db");
          expect(alive(app1.pid!)).toBe(false);
          const evs = rec.events();
          const appGone = firstIndex(evs, "app", "inactive");
          const dbStopping = firstIndex(evs, "db", "stopping");
          expect(appGone).toBeGreaterThanOrEqual(0);
          expect(appGone).toBeLessThan(dbStopping);
          expect(msBetween(evs[firstIndex(evs, "app", "stopping")]!.at, evs[dbStopping]!.at)).toBeGreaterThanOrEqual(150);
          await Bun.sleep(300);
          expect((await status(s, "app")).state).toBe("inactive");
          expect((await status(s, "db")).state).toBe("inactive");
          // starting app again brings db back too
          await s.rpc("service.start", { name: "app" });
          await waitState(s, "app", "running");
          await waitState(s, "db", "running");
        } finally {
          rec.close();
        }
      },
    );
  });

  // Stopping a service never stops what it requires (others may need it).
  test("stopping app leaves db running", async () => {
    await withServer(
      { db: service(SLEEP), app: service(SLEEP, { dependencies: { requires: ["db"] } }) },
      async (s) => {
        const db = await waitState(s, "db", "running");
        await waitState(s, "app", "running");
        await s.rpc("service.stop", { name: "app" });
        await waitState(s, "app", "inactive");
        await Bun.sleep(150);
        const after = await status(s, "db");
        expect(after.state).toBe("running");
        expect(after.pid).toBe(db.pid);
      },
    );
  });
});

describe("after and wants", () => {
  // after: waits for a service on its way up, saying so.
  test("a after b: a is blocked 'after b (starting)' while the oneshot b runs", async () => {
    await withServer(
      {
        b: service("sleep 0.4", { service: { oneshot: true } }),
        a: service(SLEEP, { dependencies: { after: ["b"] } }),
      },
      async (s) => {
        const a = await waitState(s, "a", "blocked");
        expect(a.reason).toBe("after b (starting)");
        const running = await waitState(s, "a", "running", undefined, 3000);
        const b = await status(s, "b");
        expect(b.state).toBe("exited");
        expect(Date.parse(running.since)).toBeGreaterThanOrEqual(Date.parse(b.since));
      },
    );
  });

  // after: order only — it does not pull the other service in.
  test("a after c (status stop): a runs at once and c is not started", async () => {
    await withServer(
      {
        c: service(SLEEP, { service: { status: "stop" } }),
        a: service(SLEEP, { dependencies: { after: ["c"] } }),
      },
      async (s) => {
        await waitState(s, "a", "running");
        await Bun.sleep(200);
        expect((await status(s, "c")).state).toBe("inactive");
      },
    );
  });

  // after: a failed predecessor has settled; it does not block.
  test("a after f where f failed: a still runs", async () => {
    await withServer(
      {
        f: service(["/nonexistent/x"]),
        a: service(SLEEP, { dependencies: { after: ["f"] } }),
      },
      async (s) => {
        await waitState(s, "f", "failed");
        await waitState(s, "a", "running");
      },
    );
  });

  // wants: pulls in, waits for it to settle, but its failure or stop never holds A.
  test("a wants m (status stop): m is pulled in and a runs", async () => {
    await withServer(
      {
        m: service(SLEEP, { service: { status: "stop" } }),
        a: service(SLEEP, { service: { status: "stop" }, dependencies: { wants: ["m"] } }),
      },
      async (s) => {
        const rec = await recordEvents(s);
        try {
          await s.rpc("service.start", { name: "a" });
          const a = await waitState(s, "a", "running");
          await waitState(s, "m", "running");
          const evs = rec.events();
          expect(firstIndex(evs, "m", "running")).toBeLessThan(firstIndex(evs, "a", "running"));
          // stopping m does not touch a
          await s.rpc("service.stop", { name: "m" });
          await waitState(s, "m", "inactive");
          await Bun.sleep(150);
          const a2 = await status(s, "a");
          expect(a2.state).toBe("running");
          expect(a2.pid).toBe(a.pid);
        } finally {
          rec.close();
        }
      },
    );
  });

  test("a wants a slow oneshot: blocked 'wants slow (starting)', then runs", async () => {
    await withServer(
      {
        slow: service("sleep 0.4", { service: { oneshot: true } }),
        a: service(SLEEP, { dependencies: { wants: ["slow"] } }),
      },
      async (s) => {
        await waitState(s, "a", "blocked", "wants slow (starting)");
        await waitState(s, "a", "running", undefined, 3000);
        expect((await status(s, "slow")).state).toBe("exited");
      },
    );
  });

  test("a wants a failing service: a runs anyway", async () => {
    await withServer(
      {
        broken: service(["/nonexistent/x"]),
        a: service(SLEEP, { dependencies: { wants: ["broken"] } }),
      },
      async (s) => {
        await waitState(s, "broken", "failed", "spawn failed: /nonexistent/x: no such file");
        await waitState(s, "a", "running");
      },
    );
  });
});

describe("conflicts", () => {
  // Starting one side stops the other first; they never run at once; symmetric.
  test("starting a stops b first (b inactive), and starting b stops a", async () => {
    await withServer(
      {
        b: service(SLEEP),
        a: service(SLEEP, { service: { status: "stop" }, dependencies: { conflicts: ["b"] } }),
      },
      async (s) => {
        const b1 = await waitState(s, "b", "running");
        expect((await status(s, "a")).state).toBe("inactive");
        const rec = await recordEvents(s);
        try {
          await s.rpc("service.start", { name: "a" });
          await waitState(s, "a", "running");
          const b = await waitState(s, "b", "inactive");
          expect(b.pid).toBeNull();
          expect(alive(b1.pid!)).toBe(false);
          let evs = rec.events();
          expect(firstIndex(evs, "b", "inactive")).toBeLessThan(firstIndex(evs, "a", "running"));

          // the other way round: the conflict is declared only in a's file
          const mark = evs.length;
          await s.rpc("service.start", { name: "b" });
          await waitState(s, "b", "running");
          await waitState(s, "a", "inactive");
          evs = rec.events();
          expect(firstIndex(evs, "a", "inactive", mark)).toBeLessThan(firstIndex(evs, "b", "running", mark));

          // never both running at once, by the event stream
          const running = new Set<string>();
          for (const e of evs) {
            if (e.to === "running") running.add(e.name);
            else running.delete(e.name);
            expect(running.has("a") && running.has("b")).toBe(false);
          }
          await Bun.sleep(200);
          expect((await status(s, "a")).state).toBe("inactive");
        } finally {
          rec.close();
        }
      },
    );
  });
});

describe("targets", () => {
  // A target is blocked until all it requires runs (or exited 0), then running; a user stop of a member ends it inactive.
  test("target is blocked until its members are up, running after, inactive when a member is stopped", async () => {
    await withServer(
      {
        setup: service("sleep 0.4", { service: { oneshot: true, status: "stop" } }),
        web: service(SLEEP, { service: { status: "stop" } }),
        multi: target({ requires: ["setup", "web"] }),
      },
      async (s) => {
        const blocked = await waitState(s, "multi", "blocked");
        expect(blocked.reason).toContain("setup");
        expect(blocked.kind).toBe("target");
        expect(blocked.pid).toBeNull();
        await waitState(s, "web", "running");
        const t = await waitState(s, "multi", "running", undefined, 3000);
        expect(t.pid).toBeNull();
        expect((await status(s, "setup")).state).toBe("exited");

        await s.rpc("service.stop", { name: "web" });
        await waitState(s, "web", "inactive");
        await waitState(s, "multi", "inactive");
        await Bun.sleep(200);
        expect((await status(s, "multi")).state).toBe("inactive");
        expect((await status(s, "web")).state).toBe("inactive");
      },
    );
  });

  // Starting a target (status stop) starts its members.
  test("starting a target starts what it requires and wants", async () => {
    await withServer(
      {
        one: service(SLEEP, { service: { status: "stop" } }),
        two: service(SLEEP, { service: { status: "stop" } }),
        grp: target({ requires: ["one"], wants: ["two"] }, { status: "stop" }),
      },
      async (s) => {
        await Bun.sleep(100);
        expect((await status(s, "grp")).state).toBe("inactive");
        await s.rpc("service.start", { name: "grp" });
        await waitState(s, "one", "running");
        await waitState(s, "two", "running");
        await waitState(s, "grp", "running");
      },
    );
  });
});

describe("cycles, ignore, status stop", () => {
  // Every service on a cycle is failed naming the cycle; the rest is unaffected.
  test("a requires b requires a: both failed 'dependency cycle', c runs", async () => {
    await withServer(
      {
        a: service(SLEEP, { dependencies: { requires: ["b"] } }),
        b: service(SLEEP, { dependencies: { requires: ["a"] } }),
        c: service(SLEEP),
      },
      async (s) => {
        const a = await waitState(s, "a", "failed");
        const b = await waitState(s, "b", "failed");
        expect(a.reason).toMatch(/^dependency cycle: (a -> b -> a|b -> a -> b)$/);
        expect(b.reason).toMatch(/^dependency cycle: (a -> b -> a|b -> a -> b)$/);
        expect(a.pid).toBeNull();
        expect(b.pid).toBeNull();
        const c = await waitState(s, "c", "running");
        expect(alive(c.pid!)).toBe(true);
        // no process was ever spawned for a or b
        expect(a.exit).toBeNull();
        expect(b.exit).toBeNull();
      },
    );
  });

  // ignore: never started by pull-in; a requirer stays blocked saying so; a wanter does not wait.
  test('status = "ignore": requirer blocked naming it, wanter runs, it stays inactive', async () => {
    await withServer(
      {
        ig: service(SLEEP, { service: { status: "ignore" } }),
        needs: service(SLEEP, { dependencies: { requires: ["ig"] } }),
        likes: service(SLEEP, { dependencies: { wants: ["ig"] } }),
      },
      async (s) => {
        await waitState(s, "likes", "running");
        const needs = await waitState(s, "needs", "blocked");
        expect(needs.reason).toContain("ig");
        await Bun.sleep(200);
        const ig = await status(s, "ig");
        expect(ig.state).toBe("inactive");
        expect(ig.pid).toBeNull();
        // an explicit start of the requirer does not pull it in either
        await s.rpc("service.start", { name: "needs" });
        await Bun.sleep(200);
        expect((await status(s, "ig")).state).toBe("inactive");
        expect((await status(s, "needs")).state).toBe("blocked");
        expect((await rpcError(s, "service.start", { name: "ig" })).rpc).toBe(-32003);
      },
    );
  });

  // status = "stop" stays down until pulled in by a starting dependent (a wants edge pulls too).
  test('status = "stop" is pulled in by a dependent started later, and stays down otherwise', async () => {
    await withServer(
      {
        lib: service(SLEEP, { service: { status: "stop" } }),
        idle: service(SLEEP, { service: { status: "stop" } }),
        user: service(SLEEP, { service: { status: "stop" }, dependencies: { requires: ["lib"] } }),
      },
      async (s) => {
        await Bun.sleep(150);
        for (const n of ["lib", "idle", "user"]) expect((await status(s, n)).state).toBe("inactive");
        await s.rpc("service.start", { name: "user" });
        await waitState(s, "user", "running");
        const lib = await waitState(s, "lib", "running");
        expect(procInfo(lib.pid!)).not.toBeNull();
        expect((await status(s, "idle")).state).toBe("inactive");
      },
    );
  });
});

describe("more dependency edges", () => {
  // Transitive: a crash at the bottom takes the whole chain down to blocked; it all comes back.
  test("worker -> app -> db: db crash blocks app and worker; all come back, bottom first", async () => {
    await withServer(
      {
        db: service(SLEEP, { lifecycle: { restart_delay_ms: 200 } }),
        app: service(SLEEP, { dependencies: { requires: ["db"] } }),
        worker: service(SLEEP, { dependencies: { requires: ["app"] } }),
      },
      async (s) => {
        const db1 = await waitState(s, "db", "running");
        await waitState(s, "app", "running");
        await waitState(s, "worker", "running");
        const rec = await recordEvents(s);
        try {
          process.kill(-db1.pid!, "SIGKILL");
          await waitFor("worker blocked", () => rec.of("worker").find((e) => e.to === "blocked"));
          await waitFor("app blocked", () => rec.of("app").find((e) => e.to === "blocked"));
          await waitFor("all back", () => ["db", "app", "worker"].every((n) => rec.of(n).some((e) => e.to === "running")), 3000);
          const evs = rec.events();
          // going down: worker before app; coming up: db, app, worker
          expect(firstIndex(evs, "worker", "blocked")).toBeLessThan(firstIndex(evs, "app", "stopping"));
          expect(firstIndex(evs, "db", "running")).toBeLessThan(firstIndex(evs, "app", "running"));
          expect(firstIndex(evs, "app", "running")).toBeLessThan(firstIndex(evs, "worker", "running"));
          for (const n of ["db", "app", "worker"]) expect((await status(s, n)).state).toBe("running");
        } finally {
          rec.close();
        }
      },
    );
  });

  // Stopping the middle of a chain stops what is above it, not what is below.
  test("stop app in worker -> app -> db: worker inactive, db untouched", async () => {
    await withServer(
      {
        db: service(SLEEP),
        app: service(SLEEP, { dependencies: { requires: ["db"] } }),
        worker: service(SLEEP, { dependencies: { requires: ["app"] } }),
      },
      async (s) => {
        const db = await waitState(s, "db", "running");
        await waitState(s, "worker", "running");
        await s.rpc("service.stop", { name: "app" });
        await waitState(s, "app", "inactive");
        await waitState(s, "worker", "inactive");
        const db2 = await status(s, "db");
        expect(db2.state).toBe("running");
        expect(db2.pid).toBe(db.pid);
      },
    );
  });

  // after: waits for as long as the other stays blocked.
  test("a after b where b is blocked forever: a stays blocked 'after b (blocked)'", async () => {
    await withServer(
      {
        b: service(SLEEP, { dependencies: { requires: ["ghost"] } }),
        a: service(SLEEP, { dependencies: { after: ["b"] } }),
      },
      async (s) => {
        await waitState(s, "b", "blocked", "requires unknown service ghost");
        await waitState(s, "a", "blocked", "after b (blocked)");
        await Bun.sleep(200);
        expect((await status(s, "a")).state).toBe("blocked");
      },
    );
  });

  // A blocked service can be stopped: it leaves blocked for inactive and stays there.
  test("stopping a blocked service makes it inactive", async () => {
    await withServer({ app: service(SLEEP, { dependencies: { requires: ["ghost"] } }) }, async (s) => {
      await waitState(s, "app", "blocked");
      await s.rpc("service.stop", { name: "app" });
      await waitState(s, "app", "inactive");
      await Bun.sleep(150);
      expect((await status(s, "app")).state).toBe("inactive");
    });
  });

  // Two status = "start" services that conflict: only one comes up, the other says why.
  test("two conflicting services both status start: exactly one runs", async () => {
    await withServer(
      {
        blue: service(SLEEP, { dependencies: { conflicts: ["green"] } }),
        green: service(SLEEP),
      },
      async (s) => {
        await Bun.sleep(300);
        const blue = await status(s, "blue");
        const green = await status(s, "green");
        expect([blue.state, green.state].sort()).toEqual(["inactive", "running"]);
        const loser = blue.state === "inactive" ? blue : green;
        expect(loser.reason).toContain("conflicts with");
      },
    );
  });

  // A conflicting side that is slow to stop is fully gone before the other side is spawned.
  test("conflict with a slow-to-stop service: a is spawned only after b's group is gone", async () => {
    await withServer(
      {
        b: service("trap '' TERM; while :; do sleep 0.05; done", { lifecycle: { stop_timeout_ms: 300 } }),
        a: service(SLEEP, { service: { status: "stop" }, dependencies: { conflicts: ["b"] } }),
      },
      async (s) => {
        const b = await waitState(s, "b", "running");
        const rec = await recordEvents(s);
        try {
          await s.rpc("service.start", { name: "a" });
          const during = await waitState(s, "a", "blocked");
          expect(during.reason).toContain("conflicts with b");
          await waitState(s, "a", "running", undefined, 3000);
          const evs = rec.events();
          const bGone = evs[firstIndex(evs, "b", "inactive")]!;
          const aUp = evs[firstIndex(evs, "a", "running")]!;
          expect(firstIndex(evs, "b", "inactive")).toBeLessThan(firstIndex(evs, "a", "running"));
          expect(msBetween(evs[firstIndex(evs, "b", "stopping")]!.at, aUp.at)).toBeGreaterThanOrEqual(280);
          expect(bGone).toBeDefined();
          expect(groupMembers(b.pid!)).toEqual([]);
        } finally {
          rec.close();
        }
      },
    );
  });

  // Targets follow the crash rule too: a crashed member makes the target blocked, and it recovers.
  test("a target whose member crashes goes blocked and comes back", async () => {
    await withServer(
      {
        member: service(SLEEP, { lifecycle: { restart_delay_ms: 200 } }),
        grp: target({ requires: ["member"] }),
      },
      async (s) => {
        const m = await waitState(s, "member", "running");
        await waitState(s, "grp", "running");
        const rec = await recordEvents(s);
        try {
          process.kill(-m.pid!, "SIGKILL");
          await waitFor("grp blocked", () => rec.of("grp").find((e) => e.to === "blocked"));
          await waitState(s, "grp", "running", undefined, 3000);
          expect(rec.of("grp").map((e) => e.to)).toEqual(["blocked", "running"]);
        } finally {
          rec.close();
        }
      },
    );
  });

  // Starting a target again does not re-run a oneshot member that already exited.
  test("restarting a target does not re-run its exited oneshot member", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-deps-"));
    const runs = join(tmp, "runs");
    try {
      await withServer(
        {
          init: service(`echo x >> ${runs}`, { service: { oneshot: true, status: "stop" } }),
          web: service(SLEEP, { service: { status: "stop" } }),
          grp: target({ requires: ["init", "web"] }),
        },
        async (s) => {
          await waitState(s, "grp", "running");
          await s.rpc("service.stop", { name: "grp" });
          await waitState(s, "grp", "inactive");
          await s.rpc("service.start", { name: "grp" });
          await waitState(s, "grp", "running");
          await Bun.sleep(200);
          expect(readFileSync(runs, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
          expect((await status(s, "init")).state).toBe("exited");
        },
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
