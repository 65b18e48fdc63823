/**
 * Reloads that cannot be applied as written: a broken file is reported naming it
 * and its previous definition stays in force; the files whose new definitions
 * would close a dependency cycle keep their previous ones (a new file stays
 * unloaded), reported with the cycle, while the rest of the reload applies.
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

  // Editing b to require a (which already requires b) would close a cycle: b keeps
  // its previous definition and process; the unrelated new c is still added.
  test("a reload that would close a cycle keeps the cycle files' previous definitions and applies the rest", async () => {
    await withServer({ a: unit(SLEEP, "", `[dependencies]\nrequires = ["b"]\n`), b: unit(SLEEP), d: unit(SLEEP) }, async (s) => {
      const a = await waitState(s, "a", "running");
      const b = await waitState(s, "b", "running");
      const d = await waitState(s, "d", "running");
      // b's new definition changes exec too: applied, it would restart b.
      write(s, "b", unit(["sleep", "1001"], "", `[dependencies]\nrequires = ["a"]\n`));
      write(s, "c", unit(SLEEP));
      // x is new and closes a cycle through d, which a new definition of d names.
      write(s, "x", unit(SLEEP, "", `[dependencies]\nafter = ["d"]\n`));
      write(s, "d", unit(SLEEP, "", `[dependencies]\nwants = ["x"]\n`));
      const cli = await s.cli("reload");
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain("b.toml: would close a dependency cycle b -> a -> b; previous definition kept");
      expect(cli.stdout).toContain("d.toml: would close a dependency cycle d -> x -> d; previous definition kept");
      expect(cli.stdout).toContain("x.toml: would close a dependency cycle x -> d -> x; not loaded");
      expect(cli.stdout).toMatch(/^added:\s+c$/m);
      await waitState(s, "c", "running");
      expect((await rpcError(s, "service.status", { name: "x" })).rpc).toBe(-32000);

      await Bun.sleep(200);
      const sa = await status(s, "a");
      const sb = await status(s, "b");
      expect(sa).toMatchObject({ state: "running", pid: a.pid, restarts: 0 });
      expect(sb).toMatchObject({ state: "running", pid: b.pid, restarts: 0 });
      expect(sb.dependencies.requires).toEqual([]);
      expect(sb.config.service.exec).toEqual(SLEEP);
      expect(await status(s, "d")).toMatchObject({ state: "running", pid: d.pid });

      // The same reload again: the same errors, nothing else to do.
      const again = await reload(s);
      expect(again.errors).toEqual([
        "b.toml: would close a dependency cycle b -> a -> b; previous definition kept",
        "d.toml: would close a dependency cycle d -> x -> d; previous definition kept",
        "x.toml: would close a dependency cycle x -> d -> x; not loaded",
      ]);
      expect(again).toMatchObject({ added: [], removed: [], changed: [] });

      // Once the cycle is broken on disk, the held-back definitions go through.
      write(s, "a", unit(SLEEP));
      const ok = await reload(s);
      expect(ok.errors.filter((e) => e.startsWith("b.toml") || e.startsWith("a.toml"))).toEqual([]);
      expect(changedMap(ok)).toMatchObject({ a: false, b: true });
      const nb = await waitState(s, "b", "running");
      expect(nb.pid).not.toBe(b.pid);
      expect(nb.config.service.exec).toEqual(["sleep", "1001"]);
      expect(fileExists(s, "c")).toBe(true);
    });
  });

  // A cycle in the files at start-up is not a reload's to hold back: its units are
  // failed naming the cycle, and a reload that leaves it alone changes nothing there.
  test("a cycle present at first load fails its units, naming the cycle", async () => {
    await withServer({ a: unit(SLEEP, "", `[dependencies]\nrequires = ["b"]\n`), b: unit(SLEEP, "", `[dependencies]\nafter = ["a"]\n`) }, async (s) => {
      await waitState(s, "a", "failed", "dependency cycle: a -> b -> a");
      await waitState(s, "b", "failed", "dependency cycle: a -> b -> a");
      write(s, "a", unit(SLEEP, "", `[dependencies]\nrequires = ["b"]\n[lifecycle]\nstop_timeout_ms = 500\n`));
      const r = await reload(s);
      expect(r.errors).toEqual([]);
      expect(changedMap(r)).toEqual({ a: false });
      await waitState(s, "a", "failed", "dependency cycle: a -> b -> a");
    });
  });
});
