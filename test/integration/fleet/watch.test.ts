/**
 * `--watch` through the compiled server: a change of the config directory is
 * applied by itself, from inotify events, debounced — including the Kubernetes
 * ConfigMap layout (NAME.toml -> ..data/NAME.toml, `..data` a symlink swapped to a
 * new `..2026_…` directory the way the kubelet does it), a broken file (old
 * definition kept, the error logged), and a directory deleted and made again.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { runCmd, startServer, waitFor, type TestServer } from "./lib.ts";

// The tag is $0 of the shell: it tells definitions apart in `exec`.
const sleeper = (tag: string) => `[service]\nexec = ["sh", "-c", "exec sleep 1000", "${tag}"]\n`;

async function status(s: TestServer, name: string): Promise<{ state: string; pid: number | null; config: any } | null> {
  try {
    return await s.rpc("service.status", { name });
  } catch {
    return null;
  }
}
const running = async (s: TestServer, name: string) => {
  const st = await status(s, name);
  return st?.state === "running" ? st : null;
};
const execOf = (st: { config: any } | null) => (st?.config.service.exec as string[] | undefined)?.join(" ");

/** The kubelet's update of a ConfigMap volume: new timestamped dir, ..data swapped by rename, user-visible links fixed, old dir removed. */
let stamp = 0;
function kubeletWrite(dir: string, files: Record<string, string>): void {
  const ts = `..2026_01_02_03_04_05.${String(++stamp).padStart(9, "0")}`;
  mkdirSync(join(dir, ts));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, ts, name), text);
  let old: string | null = null;
  try {
    old = readlinkSync(join(dir, "..data"));
  } catch {}
  symlinkSync(ts, join(dir, "..data_tmp"));
  renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join("..data", name), join(dir, name));
    } catch {}
  }
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith("..") && !(entry in files)) unlinkSync(join(dir, entry));
  }
  if (old) rmSync(join(dir, old), { recursive: true });
}

function countLines(text: string, re: RegExp): number {
  return text.split("\n").filter((l) => re.test(l)).length;
}

describe("--watch", () => {
  test("ConfigMap layout: a kubelet-style swap of ..data adds, changes and removes services", async () => {
    const s = await startServer({}, ["--watch"], {
      prepare: ({ configDir }) => kubeletWrite(configDir, { "web.toml": sleeper("v1"), "old.toml": sleeper("old") }),
    });
    try {
      expect(s.output()).toContain(`watching ${s.configDir} for changes`);
      const v1 = await waitFor("web v1", () => running(s, "web"));
      expect(execOf(v1)).toBe("sh -c exec sleep 1000 v1");
      await waitFor("old", () => running(s, "old"));

      const t0 = performance.now();
      kubeletWrite(s.configDir, { "web.toml": sleeper("v2"), "db.toml": sleeper("db") });
      const db = await waitFor("db started by the watch", () => running(s, "db"), 5000, 10);
      const latency = performance.now() - t0;
      expect(db.pid).not.toBeNull();
      const v2 = await waitFor("web restarted with v2", async () => {
        const st = await running(s, "web");
        return st && execOf(st) === "sh -c exec sleep 1000 v2" ? st : null;
      });
      expect(v2.pid).not.toBe(v1!.pid);
      await waitFor("old removed", async () => (await status(s, "old")) === null);
      // One burst, one reload.
      expect(countLines(s.output(), /watch: .*; reload: 1 added, 1 removed, 1 changed/)).toBe(1);
      console.log(`watch: ConfigMap swap -> new service running in ${latency.toFixed(0)} ms (debounce 200 ms)`);
      expect(latency).toBeGreaterThanOrEqual(200);
    } finally {
      await s.stop();
    }
  }, 20_000);

  test("a broken file: the old definition stays, the error is logged; fixing it applies it", async () => {
    const s = await startServer({ web: sleeper("v1") }, ["--watch"]);
    try {
      const v1 = await waitFor("web", () => running(s, "web"));
      writeFileSync(join(s.configDir, "web.toml"), '[service]\nexec = "sleep 1000"\nbogus = 1\n');
      await waitFor("the error in the log", () => /reload: .*web\.toml.*bogus/.test(s.output()));
      const still = await running(s, "web");
      expect(still?.pid).toBe(v1.pid);
      expect(execOf(still)).toBe("sh -c exec sleep 1000 v1");
      writeFileSync(join(s.configDir, "web.toml"), sleeper("v2"));
      await waitFor("web v2", async () => execOf(await running(s, "web")) === "sh -c exec sleep 1000 v2");
    } finally {
      await s.stop();
    }
  }, 20_000);

  test("the directory deleted and made again: services kept meanwhile, the new one's files applied, later changes seen too", async () => {
    const s = await startServer({ web: sleeper("v1") }, ["--watch"]);
    try {
      const v1 = await waitFor("web", () => running(s, "web"));
      rmSync(s.configDir, { recursive: true });
      await waitFor("the unreadable directory reported", () => /cannot read directory/.test(s.output()));
      expect((await running(s, "web"))?.pid).toBe(v1.pid);
      mkdirSync(s.configDir);
      writeFileSync(join(s.configDir, "web.toml"), sleeper("v1"));
      writeFileSync(join(s.configDir, "db.toml"), sleeper("db"));
      await waitFor("db from the new directory", () => running(s, "db"));
      expect((await running(s, "web"))?.pid).toBe(v1.pid);
      // The watch is on the new directory now, not only on its parent.
      writeFileSync(join(s.configDir, "cache.toml"), sleeper("cache"));
      await waitFor("cache", () => running(s, "cache"));
    } finally {
      await s.stop();
    }
  }, 20_000);

  test("a burst of writes is one reload; no watch without the flag", async () => {
    const s = await startServer({}, ["--watch", "--log-level", "debug"]);
    const plain = await startServer({});
    try {
      for (let i = 0; i < 20; i++) writeFileSync(join(s.configDir, `s${i}.toml`), sleeper(`s${i}`));
      for (let i = 0; i < 20; i++) writeFileSync(join(plain.configDir, `s${i}.toml`), sleeper(`s${i}`));
      await waitFor("20 services", async () => ((await s.rpc("service.list")) as unknown[]).length === 20);
      await Bun.sleep(400);
      expect(countLines(s.output(), /watch: .*; reload: /)).toBe(1);
      expect(s.output()).toMatch(/watch: s0\.toml, s1\.toml, s2\.toml and 17 more changed; reload: 20 added/);
      expect(((await plain.rpc("service.list")) as unknown[]).length).toBe(0);
    } finally {
      await plain.stop();
      await s.stop();
    }
  }, 20_000);

  // inotify, not polling: the server holds inotify watches on the directory and its parent.
  test("the watches are inotify watches on the directory and its parent", async () => {
    const s = await startServer({}, ["--watch"]);
    try {
      const inodes = new Set<string>();
      for (const fd of readdirSync(`/proc/${s.proc.pid}/fdinfo`)) {
        let info: string;
        try {
          info = readFileSync(`/proc/${s.proc.pid}/fdinfo/${fd}`, "utf8");
        } catch {
          continue;
        }
        for (const m of info.matchAll(/^inotify wd:\S+ ino:([0-9a-f]+)/gm)) inodes.add(m[1]!);
      }
      expect(inodes.has(statSync(s.configDir).ino.toString(16))).toBe(true);
      expect(inodes.has(statSync(s.dir).ino.toString(16))).toBe(true);
    } finally {
      await s.stop();
    }
  });

  test("ZINIT_WATCH=1 turns it on; a value that is neither on nor off is a usage error", async () => {
    const prev = process.env.ZINIT_WATCH;
    process.env.ZINIT_WATCH = "1";
    let s: TestServer | undefined;
    try {
      s = await startServer({});
    } finally {
      if (prev === undefined) delete process.env.ZINIT_WATCH;
      else process.env.ZINIT_WATCH = prev;
    }
    try {
      writeFileSync(join(s.configDir, "web.toml"), sleeper("w"));
      await waitFor("web", () => running(s!, "web"));
    } finally {
      await s.stop();
    }
    const bad = await runCmd([ZINIT, "server", "--socket", "/tmp/zinit-unused.sock"], { env: { ZINIT_WATCH: "ture" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ZINIT_WATCH="ture": expected 1/true/yes/on or 0/false/no/off');
  });
});
