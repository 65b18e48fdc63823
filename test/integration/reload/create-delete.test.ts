/**
 * `zinit create` / `delete` / `delete-all` and their SDK methods
 * (docs/protocol.md): create validates, writes NAME.toml and starts it; an existing name is
 * -32001 (exit 1), a bad name or config -32002 (exit 1) naming the problem, and
 * nothing is written; delete stops (dependents first), unloads and removes the
 * file; delete-all spares system-class services.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseService } from "../../../src/sdk/index.ts";
import {
  configFiles,
  fileExists,
  procAlive,
  recordEvents,
  reload,
  rpcError,
  SLEEP,
  status,
  unit,
  waitFor,
  waitState,
  withServer,
  ZinitClient,
} from "./lib.ts";

describe("create", () => {
  test("`zinit create NAME --exec` writes NAME.toml, loads and starts it; a reload then sees it unchanged", async () => {
    await withServer({}, async (s) => {
      const out = await s.cli("create", "web", "--exec", "sleep 1000");
      expect(out.code).toBe(0);
      expect(out.stdout.trim()).toBe("web: created");
      expect(configFiles(s)).toEqual(["web.toml"]);
      const text = readFileSync(join(s.configDir, "web.toml"), "utf8");
      expect("errors" in parseService(text)).toBe(false);
      const st = await waitState(s, "web", "running");
      expect(st.config.service.exec).toEqual(["sleep", "1000"]);
      expect(readFileSync(`/proc/${st.pid}/cmdline`, "utf8").split("\0").slice(0, 2)).toEqual(["sleep", "1000"]);
      const r = await reload(s);
      expect(r).toMatchObject({ added: [], removed: [], changed: [], unchanged: ["web"], errors: [] });
      expect((await status(s, "web")).pid).toBe(st.pid);

      // --requires builds the dependency; the created service waits for it
      const dep = await s.cli("create", "app", "--exec", "sleep 1000", "--requires", "web");
      expect(dep.code).toBe(0);
      const app = await waitState(s, "app", "running");
      expect(app.dependencies.requires).toEqual(["web"]);

      // -f FILE sends the file as is: here with a health check that passes
      const file = join(s.dir, "probe.toml");
      writeFileSync(file, unit(SLEEP, "", `[health]\ntype = "exec"\ntarget = "true"\ninterval_ms = 100\n`));
      const fromFile = await s.cli("create", "probed", "-f", file);
      expect(fromFile.code).toBe(0);
      expect(readFileSync(join(s.configDir, "probed.toml"), "utf8")).toBe(readFileSync(file, "utf8"));
      const probed = await waitState(s, "probed", "running");
      expect(probed.reason).toBe(`healthy (pid ${probed.pid})`);
      expect(configFiles(s)).toEqual(["app.toml", "probed.toml", "web.toml"]);
    });
  });

  test("an existing name is refused: exit 1 / -32001, the running service and its file untouched", async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      const web = await waitState(s, "web", "running");
      const before = readFileSync(join(s.configDir, "web.toml"), "utf8");
      const out = await s.cli("create", "web", "--exec", "sleep 5");
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/already exists/);
      const e = await rpcError(s, "service.create", { name: "web", config: unit(["sleep", "5"]) });
      expect(e.rpc).toBe(-32001);
      expect(readFileSync(join(s.configDir, "web.toml"), "utf8")).toBe(before);
      expect(await status(s, "web")).toMatchObject({ state: "running", pid: web.pid });
      expect(configFiles(s)).toEqual(["web.toml"]);
    });
  });

  test("an invalid name or an invalid config is refused: exit 1 / -32002 naming the problem, no file written", async () => {
    await withServer({}, async (s) => {
      const badName = await s.cli("create", "bad/name", "--exec", "sleep 1000");
      expect(badName.code).toBe(1);
      expect(badName.stderr).toContain("bad/name");
      for (const name of ["bad name", "-x", ".hidden", "a".repeat(129), "../x"]) {
        const e = await rpcError(s, "service.create", { name, config: unit(SLEEP) });
        expect(e.rpc).toBe(-32002);
      }
      // an empty name may be refused as a bad parameter before it is a bad name
      expect([-32002, -32602]).toContain((await rpcError(s, "service.create", { name: "", config: unit(SLEEP) })).rpc);
      const e1 = await rpcError(s, "service.create", { name: "x y", config: unit(SLEEP) });
      expect(e1.message).toContain('"x y"');

      const file = join(s.dir, "svc.toml");
      writeFileSync(file, `[service]\nexec = ["sleep", "1000"]\n[lifecycle]\nrestart = "sometimes"\n`);
      const badField = await s.cli("create", "web", "-f", file);
      expect(badField.code).toBe(1);
      expect(badField.stderr).toContain("lifecycle.restart");
      writeFileSync(file, `[service\nexec = "sleep 1000"\n`);
      const syntax = await s.cli("create", "web", "-f", file);
      expect(syntax.code).toBe(1);
      expect(syntax.stderr.trim()).not.toBe("");
      const e2 = await rpcError(s, "service.create", { name: "web", config: `[service]\nexec = 5\n` });
      expect(e2.rpc).toBe(-32002);
      expect(e2.message).toContain("service.exec");
      // a name inside the file that differs from the one asked for
      const e3 = await rpcError(s, "service.create", { name: "web", config: `[service]\nname = "other"\nexec = "sleep 1000"\n` });
      expect(e3.rpc).toBe(-32002);
      // a create that would close a dependency cycle is an invalid config too
      await s.rpc("service.create", { name: "a", config: unit(SLEEP, "", `[dependencies]\nrequires = ["b"]\n`) });
      const e4 = await rpcError(s, "service.create", { name: "b", config: unit(SLEEP, "", `[dependencies]\nrequires = ["a"]\n`) });
      expect(e4.rpc).toBe(-32002);
      expect(e4.message).toMatch(/cycle/);

      expect(configFiles(s)).toEqual(["a.toml"]);
      const names = ((await s.rpc("service.list")) as { name: string }[]).map((i) => i.name);
      expect(names).toEqual(["a"]);
    });
  });

  test("SDK create and delete", async () => {
    await withServer({}, async (s) => {
      const c = await ZinitClient.connect(s.socket);
      try {
        expect(await c.create("db", unit(SLEEP))).toBeNull();
        await c.create("idle", unit(SLEEP, `status = "stop"`));
        const db = await waitState(s, "db", "running");
        expect((await c.status("idle")).state).toBe("inactive");
        await expect(c.create("db", unit(SLEEP))).rejects.toMatchObject({ code: "already_exists" });
        await expect(c.create("bad name", unit(SLEEP))).rejects.toMatchObject({ code: "invalid_config" });
        await expect(c.create("x", "exec = ")).rejects.toMatchObject({ code: "invalid_config" });
        expect(await c.delete("db")).toBeNull();
        expect(fileExists(s, "db")).toBe(false);
        expect(procAlive(db.pid!)).toBe(false);
        await expect(c.status("db")).rejects.toMatchObject({ code: "not_found" });
        await expect(c.delete("db")).rejects.toMatchObject({ code: "not_found" });
        // a service still waiting for its health check can be deleted too
        await c.create("pending", unit(SLEEP, "", `[health]\ntype = "exec"\ntarget = "false"\ninterval_ms = 50\n`));
        const pending = await waitState(s, "pending", "starting");
        await c.delete("pending");
        expect(procAlive(pending.pid!)).toBe(false);
        expect(fileExists(s, "pending")).toBe(false);
        expect((await c.list()).map((i) => i.name)).toEqual(["idle"]);
        expect(configFiles(s)).toEqual(["idle.toml"]);
      } finally {
        await c.close();
      }
    });
  });
});

describe("delete", () => {
  test("`zinit delete` stops dependents first, unloads, removes the file; unknown name exits 3", async () => {
    await withServer({ db: unit(SLEEP), app: unit(SLEEP, "", `[dependencies]\nrequires = ["db"]\n`), other: unit(SLEEP) }, async (s) => {
      const db = await waitState(s, "db", "running");
      const app = await waitState(s, "app", "running");
      const other = await waitState(s, "other", "running");
      const rec = await recordEvents(s);
      try {
        const out = await s.cli("delete", "db");
        expect(out.code).toBe(0);
        expect(out.stdout.trim()).toBe("db: deleted");
        // the call returns once db is down and gone
        expect(fileExists(s, "db")).toBe(false);
        expect(procAlive(db.pid!)).toBe(false);
        expect((await rpcError(s, "service.status", { name: "db" })).rpc).toBe(-32000);
        const evs = rec.all();
        const appDown = evs.findIndex((e) => e.name === "app" && e.from === "stopping");
        const dbStop = evs.findIndex((e) => e.name === "db" && e.to === "stopping");
        expect(appDown).toBeGreaterThanOrEqual(0);
        expect(dbStop).toBeGreaterThan(appDown);
        const a = await status(s, "app");
        expect(a.pid).toBeNull();
        expect(procAlive(app.pid!)).toBe(false);
        expect(fileExists(s, "app")).toBe(true);
        expect(await status(s, "other")).toMatchObject({ state: "running", pid: other.pid });

        const unknown = await s.cli("delete", "db");
        expect(unknown.code).toBe(3);
        expect((await rpcError(s, "service.delete", { name: "nope" })).rpc).toBe(-32000);

        // a reload afterwards does not bring it back
        const r = await reload(s);
        expect(r.added).toEqual([]);
        expect(r.removed).toEqual([]);
      } finally {
        rec.close();
      }
    });
  });

  test("delete-all removes every user-class service and its file; a system-class one keeps running", async () => {
    await withServer(
      {
        core: unit(SLEEP, `class = "system"`),
        u1: unit(SLEEP),
        u2: unit(SLEEP, "", `[dependencies]\nrequires = ["u1"]\n`),
        u3: unit(SLEEP, `status = "stop"`),
      },
      async (s) => {
        const core = await waitState(s, "core", "running");
        const u1 = await waitState(s, "u1", "running");
        const u2 = await waitState(s, "u2", "running");
        await s.cli("create", "made", "--exec", "sleep 1000");
        const made = await waitState(s, "made", "running");
        const out = await s.cli("delete-all");
        expect(out.code).toBe(0);
        for (const n of ["u1", "u2", "u3", "made"]) expect(out.stdout).toContain(n);
        expect(out.stdout).not.toContain("core");
        expect(configFiles(s)).toEqual(["core.toml"]);
        for (const p of [u1.pid!, u2.pid!, made.pid!]) expect(procAlive(p)).toBe(false);
        expect(((await s.rpc("service.list")) as { name: string }[]).map((i) => i.name)).toEqual(["core"]);
        expect(await status(s, "core")).toMatchObject({ state: "running", pid: core.pid, restarts: 0 });

        // through the SDK: nothing left to delete, core still spared
        const c = await ZinitClient.connect(s.socket);
        try {
          expect(await c.deleteAll()).toEqual([]);
          await c.create("later", unit(SLEEP));
          await waitState(s, "later", "running");
          expect(await c.deleteAll()).toEqual(["later"]);
        } finally {
          await c.close();
        }
        expect(configFiles(s)).toEqual(["core.toml"]);
        expect((await status(s, "core")).pid).toBe(core.pid);
        await waitFor("core still running", async () => (await status(s, "core")).state === "running" || null);
      },
    );
  });
});
