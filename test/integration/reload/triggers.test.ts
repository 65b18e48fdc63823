/**
 * The ways to reload (docs/configuration.md, hot reload): `zinit reload` (readable and
 * --json), SIGHUP to the server process, and reloads that land while services are
 * still starting (waiting for a slow health check) or blocked behind them.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { changedMap, freePort, Listener, procAlive, reload, remove, SLEEP, status, unit, waitFor, waitState, withServer, write } from "./lib.ts";

describe("reload triggers", () => {
  test("`zinit reload` prints added/removed/restarted/changed/unchanged; --json prints the object", async () => {
    await withServer({ a: unit(SLEEP), b: unit(SLEEP), c: unit(SLEEP), d: unit(SLEEP) }, async (s) => {
      for (const n of ["a", "b", "c", "d"]) await waitState(s, n, "running");
      write(s, "e", unit(SLEEP));
      remove(s, "b");
      write(s, "a", unit(["sleep", "1001"]));
      write(s, "c", unit(SLEEP, "", `[lifecycle]\nrestart_delay_ms = 5\n`));
      const out = await s.cli("reload");
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^added:\s+e$/m);
      expect(out.stdout).toMatch(/^removed:\s+b$/m);
      expect(out.stdout).toMatch(/^restarted:\s+a$/m);
      expect(out.stdout).toMatch(/^changed:\s+c$/m);
      expect(out.stdout).toMatch(/^unchanged:\s+(1|d)$/m);
      expect(out.stdout).toMatch(/^errors:\s+0$/m);

      const json = await s.cli("reload", "--json");
      expect(json.code).toBe(0);
      const obj = JSON.parse(json.stdout);
      expect(obj).toEqual({ added: [], removed: [], changed: [], unchanged: ["a", "c", "d", "e"], errors: [] });
      const global = await s.cli("--json", "reload");
      expect(JSON.parse(global.stdout).unchanged).toEqual(["a", "c", "d", "e"]);
    });
  });

  test("SIGHUP to the server reloads: a new file starts, a changed exec restarts, the server stays up", async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      const web = await waitState(s, "web", "running");
      write(s, "late", unit(SLEEP));
      write(s, "web", unit(["sleep", "1001"]));
      process.kill(s.proc.pid, "SIGHUP");
      await waitState(s, "late", "running", undefined, 3000);
      const after = await waitFor("web restarted with the new exec", async () => {
        const st = await status(s, "web");
        return st.state === "running" && st.pid !== web.pid ? st : null;
      });
      expect(after.config.service.exec).toEqual(["sleep", "1001"]);
      expect(procAlive(web.pid!)).toBe(false);
      // a second SIGHUP with nothing changed touches nothing
      process.kill(s.proc.pid, "SIGHUP");
      await Bun.sleep(300);
      expect(s.proc.exitCode).toBeNull();
      expect((await status(s, "web")).pid).toBe(after.pid);
      expect((await status(s, "late")).restarts).toBe(0);
      const r = await reload(s);
      expect(r.added).toEqual([]);
      expect(r.unchanged).toEqual(["late", "web"]);
    });
  });

  // Reloads leave a probed service alone: same pid, one probe per interval, no more.
  test("reloads do not restart or multiply the probes of an unchanged health-checked service", async () => {
    const port = await freePort();
    const listener = new Listener(port);
    await listener.open();
    try {
      const web = unit(SLEEP, "", `[health]\ntype = "tcp"\ntarget = "127.0.0.1:${port}"\ninterval_ms = 100\n`);
      await withServer({ web }, async (s) => {
        const run = await waitState(s, "web", "running");
        for (let i = 0; i < 10; i++) expect((await reload(s)).unchanged).toEqual(["web"]);
        const n = listener.accepted;
        await Bun.sleep(600);
        const probes = listener.accepted - n;
        expect(probes).toBeGreaterThanOrEqual(3);
        expect(probes).toBeLessThanOrEqual(8);
        expect(await status(s, "web")).toMatchObject({ state: "running", pid: run.pid, restarts: 0 });
      });
    } finally {
      await listener.close();
    }
  });

  test("dot files, non-.toml files and subdirectories are not read by a reload", async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      const web = await waitState(s, "web", "running");
      writeFileSync(join(s.configDir, ".web.toml.swp"), "garbage [[[");
      writeFileSync(join(s.configDir, ".other.toml"), "garbage [[[");
      writeFileSync(join(s.configDir, "notes.txt"), "garbage [[[");
      writeFileSync(join(s.configDir, "web.toml~"), "garbage [[[");
      mkdirSync(join(s.configDir, "sub"));
      writeFileSync(join(s.configDir, "sub", "inner.toml"), unit(SLEEP));
      const r = await reload(s);
      expect(r).toEqual({ added: [], removed: [], changed: [], unchanged: ["web"], errors: [] });
      expect((await status(s, "web")).pid).toBe(web.pid);
    });
  });

  // A crash-looping service fixed by a reload while it waits out its back-off:
  // the next spawn runs the new command.
  test("a reload during back-off: the next spawn uses the new definition", async () => {
    await withServer({ crash: unit(["sh", "-c", "exit 1"], "", `[lifecycle]\nrestart_delay_ms = 400\n`) }, async (s) => {
      await waitState(s, "crash", "starting", /restarting in 400 ms/);
      write(s, "crash", unit(SLEEP, "", `[lifecycle]\nrestart_delay_ms = 400\n`));
      const r = await reload(s);
      expect(r.changed.map((c) => c.name)).toEqual(["crash"]);
      const up = await waitState(s, "crash", "running", undefined, 3000);
      expect(up.config.service.exec).toEqual(SLEEP);
      expect(readFileSync(`/proc/${up.pid}/cmdline`, "utf8").split("\0")[0]).toBe("sleep");
      await Bun.sleep(300);
      expect(await status(s, "crash")).toMatchObject({ state: "running", pid: up.pid });
    });
  });

  // slow waits for a file that does not exist yet; app requires it (blocked).
  // Reloads while they wait: unchanged keeps the wait going (same pid, no restart),
  // an exec change restarts it (new pid, starting again), a health change applies in
  // place to the process being probed.
  test("reloads while a service is starting (slow health check) and its dependent is blocked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-hr-slow-"));
    const flag = join(dir, "healthy");
    const slowHealth = (target: string) => `[lifecycle]\nstart_timeout_ms = 20000\n[health]\ntype = "exec"\ntarget = ${JSON.stringify(target)}\ninterval_ms = 50\n`;
    try {
      await withServer(
        {
          slow: unit(SLEEP, "", slowHealth(`test -f ${flag}`)),
          slow2: unit(SLEEP, "", slowHealth(`test -f ${flag}`)),
          app: unit(SLEEP, "", `[dependencies]\nrequires = ["slow"]\n`),
        },
        async (s) => {
          const slow = await waitState(s, "slow", "starting", /^waiting for health check/);
          const slow2 = await waitState(s, "slow2", "starting", /^waiting for health check/);
          await waitState(s, "app", "blocked");

          for (let i = 0; i < 3; i++) {
            const r = await reload(s);
            expect(r.errors).toEqual([]);
            expect(r.unchanged).toEqual(["app", "slow", "slow2"]);
          }
          expect(await status(s, "slow")).toMatchObject({ state: "starting", pid: slow.pid, restarts: 0 });
          expect((await status(s, "app")).state).toBe("blocked");

          // exec change while starting: restarted, new process, still waiting for health
          write(s, "slow2", unit(["sleep", "1001"], "", slowHealth(`test -f ${flag}`)));
          // health change while starting: in place, the same process is now probed with `true`
          write(s, "slow", unit(SLEEP, "", slowHealth("true")));
          const r = await reload(s);
          expect(changedMap(r)).toEqual({ slow: false, slow2: true });
          const up = await waitState(s, "slow", "running", undefined, 3000);
          expect(up.pid).toBe(slow.pid);
          expect(up.restarts).toBe(0);
          await waitState(s, "app", "running", undefined, 3000);

          const again = await waitFor("slow2 with a new pid", async () => {
            const st = await status(s, "slow2");
            return st.state === "starting" && st.pid !== null && st.pid !== slow2.pid ? st : null;
          });
          expect(again.reason).toBe(`waiting for health check (pid ${again.pid})`);
          expect(procAlive(slow2.pid!)).toBe(false);
          writeFileSync(flag, "");
          await waitState(s, "slow2", "running", `healthy (pid ${again.pid})`, 3000);
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
