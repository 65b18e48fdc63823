/**
 * Hot reload (docs/configuration.md) through `system.reload`: added services start,
 * removed ones stop (dependents first) and unload, unchanged ones keep their pid
 * and log buffer, a change to what the process is restarts it, any other change
 * applies in place, and `status = "stop"` stops it.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  changedMap,
  logLines,
  procAlive,
  procCwd,
  procEnv,
  procGid,
  procUid,
  recordEvents,
  reload,
  remove,
  rpcError,
  SLEEP,
  status,
  unit,
  waitFor,
  waitState,
  withServer,
  write,
} from "./lib.ts";

const PRINT_THEN_SLEEP = (word: string) => ["sh", "-c", `echo ${word}; exec sleep 1000`];

describe("reload: add, remove, unchanged", () => {
  test("added files start (status start only), removed ones stop dependents first and unload, unchanged keep pid and logs", async () => {
    await withServer(
      {
        db: unit(SLEEP),
        app: unit(SLEEP, "", `[dependencies]\nrequires = ["db"]\n`),
        keep: unit(PRINT_THEN_SLEEP("hello-keep")),
      },
      async (s) => {
        const db = await waitState(s, "db", "running");
        const app = await waitState(s, "app", "running");
        const keep = await waitState(s, "keep", "running");
        await waitFor("keep's greeting", async () => (await logLines(s, "keep")).includes("hello-keep") || null);
        const rec = await recordEvents(s);
        try {
          write(s, "fresh", unit(SLEEP));
          write(s, "idle", unit(SLEEP, `status = "stop"`));
          remove(s, "db");
          remove(s, "app");
          const r = await reload(s);
          expect(r.errors).toEqual([]);
          expect([...r.added].sort()).toEqual(["fresh", "idle"]);
          expect([...r.removed].sort()).toEqual(["app", "db"]);
          expect(r.changed).toEqual([]);
          expect(r.unchanged).toEqual(["keep"]);

          const fresh = await waitState(s, "fresh", "running");
          expect(fresh.pid).not.toBeNull();
          expect((await status(s, "idle")).state).toBe("inactive");
          expect((await status(s, "idle")).pid).toBeNull();

          // unloaded: unknown to the server, processes gone
          expect((await rpcError(s, "service.status", { name: "db" })).rpc).toBe(-32000);
          expect((await rpcError(s, "service.status", { name: "app" })).rpc).toBe(-32000);
          expect(procAlive(db.pid!)).toBe(false);
          expect(procAlive(app.pid!)).toBe(false);
          const names = ((await s.rpc("service.list")) as { name: string }[]).map((i) => i.name).sort();
          expect(names).toEqual(["fresh", "idle", "keep"]);

          // dependents first: app was stopped before db was
          const evs = rec.all();
          const appDown = evs.findIndex((e) => e.name === "app" && e.from === "stopping");
          const dbStop = evs.findIndex((e) => e.name === "db" && e.to === "stopping");
          expect(appDown).toBeGreaterThanOrEqual(0);
          expect(dbStop).toBeGreaterThan(appDown);

          // unchanged: not touched at all
          const k = await status(s, "keep");
          expect(k).toMatchObject({ state: "running", pid: keep.pid, restarts: 0 });
          expect((await logLines(s, "keep")).filter((l) => l === "hello-keep")).toHaveLength(1);
          expect(rec.of("keep")).toEqual([]);
        } finally {
          rec.close();
        }
      },
    );
  });

  // A requirement on a unit that does not exist keeps the dependent blocked,
  // naming it, until a reload adds it. After db's file is removed, app (status start) still wants
  // to run: it is stopped first, then waits blocked, and comes back by itself once
  // a reload brings db back.
  test("removing a required service stops its dependent first; the dependent waits blocked and returns when it is re-added", async () => {
    await withServer({ db: unit(SLEEP), app: unit(SLEEP, "", `[dependencies]\nrequires = ["db"]\n`) }, async (s) => {
      const db = await waitState(s, "db", "running");
      const app = await waitState(s, "app", "running");
      const rec = await recordEvents(s);
      try {
        remove(s, "db");
        const r = await reload(s);
        expect(r.removed).toEqual(["db"]);
        expect(r.unchanged).toEqual(["app"]);
        const evs = rec.all();
        const appDown = evs.findIndex((e) => e.name === "app" && e.from === "stopping");
        const dbStop = evs.findIndex((e) => e.name === "db" && e.to === "stopping");
        expect(appDown).toBeGreaterThanOrEqual(0);
        expect(dbStop).toBeGreaterThan(appDown);
        expect(procAlive(app.pid!)).toBe(false);
        expect(procAlive(db.pid!)).toBe(false);
        const a = await waitState(s, "app", "blocked", /db/, 2000);
        expect(a.pid).toBeNull();

        write(s, "db", unit(SLEEP));
        const r2 = await reload(s);
        expect(r2.added).toEqual(["db"]);
        await waitState(s, "db", "running");
        const back = await waitState(s, "app", "running", undefined, 2000);
        expect(back.pid).not.toBe(app.pid);
      } finally {
        rec.close();
      }
    });
  });
});

describe("reload: changed definitions", () => {
  // exec, dir, env, user, group, oneshot: a new process with the new definition.
  // lifecycle, logging, dependencies, health: in place, same pid.
  test("a change to exec/dir/env/user/group/oneshot restarts; lifecycle/logging/dependencies change in place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-hr-dir-"));
    try {
      const manyLines = ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; done; exec sleep 1000"];
      await withServer(
        {
          x_exec: unit(SLEEP),
          x_dir: unit(SLEEP, `dir = "/"`),
          x_env: unit(SLEEP, `env = { COLOUR = "red" }`),
          x_user: unit(SLEEP),
          x_group: unit(SLEEP, `user = "nobody"\ndir = "/"`),
          x_oneshot: unit(SLEEP),
          p_life: unit(SLEEP, "", `[lifecycle]\nrestart_delay_ms = 100\n`),
          p_log: unit(manyLines, "", `[logging]\nbuffer_lines = 100\n`),
          p_deps: unit(SLEEP),
        },
        async (s) => {
          const names = ["x_exec", "x_dir", "x_env", "x_user", "x_group", "x_oneshot", "p_life", "p_log", "p_deps"];
          const before: Record<string, number> = {};
          for (const n of names) before[n] = (await waitState(s, n, "running")).pid!;
          await waitFor("p_log's ten lines", async () => (await logLines(s, "p_log")).length === 10 || null);

          write(s, "x_exec", unit(["sleep", "1001"]));
          write(s, "x_dir", unit(SLEEP, `dir = ${JSON.stringify(dir)}`));
          write(s, "x_env", unit(SLEEP, `env = { COLOUR = "blue" }`));
          write(s, "x_user", unit(SLEEP, `user = "nobody"\ndir = "/"`));
          write(s, "x_group", unit(SLEEP, `user = "nobody"\ngroup = "daemon"\ndir = "/"`));
          write(s, "x_oneshot", unit(SLEEP, `oneshot = true`));
          write(s, "p_life", unit(SLEEP, "", `[lifecycle]\nrestart_delay_ms = 250\nstop_timeout_ms = 3000\n`));
          write(s, "p_log", unit(manyLines, "", `[logging]\nbuffer_lines = 3\n`));
          write(s, "p_deps", unit(SLEEP, "", `[dependencies]\nafter = ["x_exec"]\n`));
          const r = await reload(s);
          expect(r.errors).toEqual([]);
          expect(r.added).toEqual([]);
          expect(r.removed).toEqual([]);
          expect(r.unchanged).toEqual([]);
          expect(changedMap(r)).toEqual({
            x_exec: true,
            x_dir: true,
            x_env: true,
            x_user: true,
            x_group: true,
            x_oneshot: true,
            p_life: false,
            p_log: false,
            p_deps: false,
          });

          const fresh = async (n: string, state = "running") =>
            waitFor(`${n} with a new pid`, async () => {
              const st = await status(s, n);
              return st.state === state && st.pid !== null && st.pid !== before[n] ? st : null;
            });
          const ex = await fresh("x_exec");
          expect(readFileSync(`/proc/${ex.pid}/cmdline`, "utf8").split("\0")).toContain("1001");
          expect(procCwd((await fresh("x_dir")).pid!)).toBe(dir);
          expect(procEnv((await fresh("x_env")).pid!).COLOUR).toBe("blue");
          expect(procUid((await fresh("x_user")).pid!)).toBe(65534);
          const grp = await fresh("x_group");
          expect(procUid(grp.pid!)).toBe(65534);
          expect(procGid(grp.pid!)).toBe(1);
          const one = await fresh("x_oneshot", "starting");
          expect(one.reason).toBe(`running (pid ${one.pid})`);
          for (const n of ["x_exec", "x_dir", "x_env", "x_user", "x_group", "x_oneshot"]) expect(procAlive(before[n]!)).toBe(false);

          // in place: same process, new rules in force
          const life = await status(s, "p_life");
          expect(life).toMatchObject({ state: "running", pid: before.p_life, restarts: 0 });
          expect(life.config.lifecycle.restart_delay_ms).toBe(250);
          expect(life.config.lifecycle.stop_timeout_ms).toBe(3000);
          const log = await status(s, "p_log");
          expect(log.pid).toBe(before.p_log!);
          expect(log.config.logging.buffer_lines).toBe(3);
          expect(await logLines(s, "p_log")).toEqual(["line-8", "line-9", "line-10"]);
          const deps = await status(s, "p_deps");
          expect(deps.pid).toBe(before.p_deps!);
          expect(deps.dependencies.after).toEqual(["x_exec"]);
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A health change applies in place. A [health] section added to a running
  // service must be in force for the same process: it gets probed.
  test("a [health] section added by reload is in force in place: the same process gets probed", async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      const first = await waitState(s, "web", "running");
      expect(first.health).toBeNull();
      write(s, "web", unit(SLEEP, "", `[health]\ntype = "exec"\ntarget = "true"\ninterval_ms = 100\n`));
      const r = await reload(s);
      expect(r.changed).toEqual([{ name: "web", restarted: false }]);
      const probed = await waitFor(
        "web probed after the reload",
        async () => {
          const st = await status(s, "web");
          return st.health?.status === "passing" ? st : null;
        },
        2000,
      ).catch(async (err) => {
        throw new Error(`${(err as Error).message}; now: ${JSON.stringify(await status(s, "web").then((x) => ({ state: x.state, pid: x.pid, health: x.health })))}`);
      });
      expect(probed).toMatchObject({ state: "running", pid: first.pid, restarts: 0 });
    });
  });

  // The other way round: a service waiting for a health check that a reload
  // removes has nothing left to wait for; without a health check a service is
  // running as soon as its process is, so the same process runs.
  test("a [health] section removed by reload while starting: the same process becomes running", async () => {
    const waiting = unit(SLEEP, "", `[lifecycle]\nstart_timeout_ms = 1500\nrestart = "never"\n[health]\ntype = "exec"\ntarget = "false"\ninterval_ms = 50\n`);
    await withServer({ web: waiting }, async (s) => {
      const first = await waitState(s, "web", "starting");
      write(s, "web", unit(SLEEP, "", `[lifecycle]\nstart_timeout_ms = 1500\nrestart = "never"\n`));
      const r = await reload(s);
      expect(r.changed).toEqual([{ name: "web", restarted: false }]);
      const run = await waitState(s, "web", "running", undefined, 1000);
      expect(run.pid).toBe(first.pid);
      expect(run.health).toBeNull();
      // and the start timeout no longer applies to it
      await Bun.sleep(1700);
      expect(await status(s, "web")).toMatchObject({ state: "running", pid: first.pid });
    });
  });

  test('status changed to "stop" stops the service in place; back to "start" starts it', async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      const first = await waitState(s, "web", "running");
      write(s, "web", unit(SLEEP, `status = "stop"`));
      const r = await reload(s);
      expect(r.changed).toEqual([{ name: "web", restarted: false }]);
      const down = await waitState(s, "web", "inactive");
      expect(down.pid).toBeNull();
      expect(procAlive(first.pid!)).toBe(false);
      await Bun.sleep(200);
      expect((await status(s, "web")).state).toBe("inactive");

      write(s, "web", unit(SLEEP));
      const r2 = await reload(s);
      expect(r2.changed).toEqual([{ name: "web", restarted: false }]);
      const up = await waitState(s, "web", "running");
      expect(up.pid).not.toBe(first.pid);
    });
  });

  test("a new conflict added by reload stops the other side", async () => {
    await withServer({ a: unit(SLEEP), b: unit(SLEEP) }, async (s) => {
      await waitState(s, "a", "running");
      const b = await waitState(s, "b", "running");
      write(s, "b", unit(SLEEP, "", `[dependencies]\nconflicts = ["a"]\n`));
      const r = await reload(s);
      expect(r.changed).toEqual([{ name: "b", restarted: false }]);
      await Bun.sleep(300);
      const sa = await status(s, "a");
      const sb = await status(s, "b");
      // never both running; b changed in place, so b keeps its process
      expect(sa.state === "running" && sb.state === "running").toBe(false);
      expect([sa.state, sb.state].filter((x) => x === "running")).toHaveLength(1);
      if (sb.state === "running") expect(sb.pid).toBe(b.pid);
    });
  });
});
