/**
 * Reloads that cannot be applied as written (SPEC section 9, README decisions): a
 * broken file is reported naming it and its previous definition stays in force; a
 * reload that would create a dependency cycle is refused whole.
 */
import { describe, expect, test } from "bun:test";
import { changedMap, fileExists, reload, rpcError, SLEEP, status, unit, waitState, withServer, write } from "./lib.ts";

describe("reload errors", () => {
  test("a TOML syntax error is reported naming the file; the old definition keeps running; other files still apply", async () => {
    await withServer({ web: unit(SLEEP), other: unit(SLEEP) }, async (s) => {
      const web = await waitState(s, "web", "running");
      const other = await waitState(s, "other", "running");
      write(s, "web", `[service]\nexec = ["sleep", "1001"\n`); // unclosed array
      write(s, "other", unit(["sleep", "1002"]));
      write(s, "extra", unit(SLEEP));
      const cli = await s.cli("reload");
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/^added:\s+extra$/m);
      expect(cli.stdout).toMatch(/^restarted:\s+other$/m);
      expect(cli.stdout).toMatch(/^errors:\s+1\b/m);
      expect(cli.stdout).toMatch(/^\s+.*web\.toml.*$/m);

      const st = await status(s, "web");
      expect(st).toMatchObject({ state: "running", pid: web.pid, restarts: 0 });
      expect(st.config.service.exec).toEqual(["sleep", "1000"]);
      await waitState(s, "extra", "running");
      const o = await waitState(s, "other", "running");
      expect(o.pid).not.toBe(other.pid);
      expect(o.config.service.exec).toEqual(["sleep", "1002"]);

      // still broken: reported again, still in force, counted as neither changed nor removed
      const r = await reload(s);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toContain("web.toml");
      expect(r.removed).toEqual([]);
      expect(r.changed).toEqual([]);
      expect((await status(s, "web")).pid).toBe(web.pid);

      // the fix applies: exec changed, so a new process
      write(s, "web", unit(["sleep", "1001"]));
      const fixed = await reload(s);
      expect(fixed.errors).toEqual([]);
      expect(changedMap(fixed)).toEqual({ web: true });
      const after = await waitState(s, "web", "running");
      expect(after.pid).not.toBe(web.pid);
    });
  });

  test("a bad field is reported with the file and the key path; the service keeps its pid and old rules", async () => {
    await withServer({ web: unit(SLEEP, "", `[lifecycle]\nrestart = "on-failure"\n`) }, async (s) => {
      const web = await waitState(s, "web", "running");
      write(s, "web", unit(SLEEP, "", `[lifecycle]\nrestart = "sometimes"\n`));
      write(s, "fresh", unit(SLEEP, "", `[service]\nbogus = 1\n`)); // a duplicate table: broken new file
      const r = await reload(s);
      expect(r.errors).toHaveLength(2);
      const webErr = r.errors.find((e) => e.includes("web.toml"))!;
      expect(webErr).toContain("lifecycle.restart");
      expect(webErr).toContain("sometimes");
      expect(r.errors.some((e) => e.includes("fresh.toml"))).toBe(true);
      expect(r.added).toEqual([]); // a broken new file adds nothing
      expect((await rpcError(s, "service.status", { name: "fresh" })).rpc).toBe(-32000);
      const st = await status(s, "web");
      expect(st).toMatchObject({ state: "running", pid: web.pid });
      expect(st.config.lifecycle.restart).toBe("on-failure");

      const json = await s.cli("reload", "--json");
      expect(json.code).toBe(1);
      const obj = JSON.parse(json.stdout);
      expect(obj.errors).toHaveLength(2);
      expect(obj).toMatchObject({ added: [], removed: [], changed: [] });
      expect(obj.unchanged).toContain("web");
    });
  });

  // Editing b to require a (which already requires b) would make a cycle: the
  // whole reload is refused, even its harmless parts, and both keep running.
  test("a reload that would create a cycle is refused whole and changes nothing", async () => {
    await withServer({ a: unit(SLEEP, "", `[dependencies]\nrequires = ["b"]\n`), b: unit(SLEEP) }, async (s) => {
      const a = await waitState(s, "a", "running");
      const b = await waitState(s, "b", "running");
      write(s, "b", unit(SLEEP, "", `[dependencies]\nrequires = ["a"]\n`));
      write(s, "c", unit(SLEEP));
      const r = await reload(s);
      expect(r.errors.length).toBeGreaterThanOrEqual(1);
      expect(r.errors.join("\n")).toMatch(/cycle/);
      expect(r.errors.join("\n")).toMatch(/\ba\b.*\bb\b|\bb\b.*\ba\b/);
      expect(r.added).toEqual([]);
      expect(r.changed).toEqual([]);
      expect(r.removed).toEqual([]);
      expect((await rpcError(s, "service.status", { name: "c" })).rpc).toBe(-32000);
      await Bun.sleep(200);
      const sa = await status(s, "a");
      const sb = await status(s, "b");
      expect(sa).toMatchObject({ state: "running", pid: a.pid });
      expect(sb).toMatchObject({ state: "running", pid: b.pid });
      expect(sb.dependencies.requires).toEqual([]);

      const cli = await s.cli("reload");
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/cycle/);

      // once b's file is put back, the rest of the change goes through
      write(s, "b", unit(SLEEP));
      const ok = await reload(s);
      expect(ok.errors).toEqual([]);
      expect(ok.added).toEqual(["c"]);
      await waitState(s, "c", "running");
      expect(fileExists(s, "c")).toBe(true);
    });
  });
});
