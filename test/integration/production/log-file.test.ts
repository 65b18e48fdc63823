/**
 * [logging] file through the compiled server: a flooding service's lines all reach
 * the files while the disk keeps up, every file stays within max_size and exactly
 * `keep` rotated files remain; a full disk (a tiny tmpfs in a private mount
 * namespace), a read-only one and a directory that cannot be created are reported
 * in `status` (log_file) while the service keeps running, and writing resumes once
 * the disk has room again. A reload changes the file in place.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_LINE_CHARS } from "../../../src/server/engine/log-ring.ts";
import { status, waitFor, waitState, withServer, type TestServer } from "../supervisor/lib.ts";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "zinit-logfile-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const asRoot = process.getuid!() === 0;
const LINE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (out|err) (.*)$/;

interface LogFileStatus {
  path: string;
  size: number;
  dropped: number;
  errors: number;
  error: string | null;
}

function service(script: string, logging: Record<string, string | number>): string {
  const lines = Object.entries(logging).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return `[service]\nexec = ["sh", "-c", ${JSON.stringify(script)}]\n[logging]\nforward = false\n${lines.join("\n")}\n`;
}

/** The text of every line in the log file and its rotated files, oldest first. */
function allLines(path: string): string[] {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const base = path.slice(path.lastIndexOf("/") + 1);
  const rotated = readdirSync(dir)
    .filter((n) => n.startsWith(`${base}.`))
    .map((n) => Number(n.slice(base.length + 1)))
    .sort((a, b) => b - a);
  const files = [...rotated.map((n) => `${path}.${n}`), path];
  return files.flatMap((f) => (existsSync(f) ? readFileSync(f, "utf8").split("\n").filter(Boolean) : []));
}

const logFileOf = async (s: TestServer, name: string): Promise<LogFileStatus> => (await s.rpc("service.status", { name })).log_file;

/**
 * `seq` in bursts of `burst` lines with a pause after each: a flood whose bursts
 * fit the writer's queue (1 MiB), i.e. a disk that keeps up on average. A single
 * endless `seq` on this 2-core machine outruns any disk; that case is the
 * dropped-and-counted one below and in the unit tests.
 */
function bursts(total: number, burst: number, fd = 1): string {
  return `i=0; while [ $i -lt ${total} ]; do seq $((i+1)) $((i+${burst})) >&${fd}; i=$((i+${burst})); sleep 0.03; done; exec sleep 100000`;
}

describe("a flooding service", () => {
  test("every line reaches the files in order, each file within max_size; exactly `keep` rotated files", async () => {
    const all = join(scratch, "all", "flood.log");
    const few = join(scratch, "few", "flood.log");
    const N = 100_000;
    await withServer(
      {
        // 100,000 lines of about 36 bytes: ~3.5 MB, rotated at 512 KiB, 20 kept: nothing rotates away.
        all: service(bursts(N, 2_000), { file: all, max_size: 524_288, keep: 20 }),
        // 50,000 lines on stderr at 50 kB per file: many rotations, 3 kept.
        few: service(bursts(50_000, 1_000, 2), { file: few, max_size: 50_000, keep: 3 }),
      },
      async (s) => {
        await waitFor("the last line in flood.log", () => existsSync(all) && readFileSync(all, "utf8").endsWith(` out ${N}\n`), 20_000);
        await waitFor("the last line of few", () => existsSync(few) && readFileSync(few, "utf8").endsWith(" err 50000\n"), 20_000);
        const lines = allLines(all);
        expect(lines.length).toBe(N);
        lines.forEach((l, i) => {
          const m = LINE_RE.exec(l);
          if (m?.[1] !== "out" || m[2] !== String(i + 1)) throw new Error(`line ${i + 1} is ${JSON.stringify(l)}`);
        });
        const allFiles = readdirSync(join(scratch, "all"));
        expect(allFiles.length).toBeGreaterThanOrEqual(6);
        for (const f of allFiles) expect(statSync(join(scratch, "all", f)).size).toBeLessThanOrEqual(524_288);
        expect(await logFileOf(s, "all")).toEqual({ path: all, size: statSync(all).size, dropped: 0, errors: 0, error: null });

        expect(readdirSync(join(scratch, "few")).sort()).toEqual(["flood.log", "flood.log.1", "flood.log.2", "flood.log.3"]);
        for (const f of readdirSync(join(scratch, "few"))) expect(statSync(join(scratch, "few", f)).size).toBeLessThanOrEqual(50_000);
        // The newest lines, oldest file first, none missing.
        const kept = allLines(few).map((l) => Number(LINE_RE.exec(l)![2]));
        expect(kept.at(-1)).toBe(50_000);
        expect(kept).toEqual(kept.map((_, i) => kept[0]! + i));
        expect(await logFileOf(s, "few")).toMatchObject({ dropped: 0, errors: 0 });

        // The file is created 0640 in a directory created 0750.
        expect(statSync(all).mode & 0o777).toBe(0o640);
        expect(statSync(join(scratch, "all")).mode & 0o777).toBe(0o750);
      },
    );
  }, 60_000);

  // One burst as fast as `seq` writes, no pause: while the writer is behind, the
  // service's output is left in its pipe (the service waits on its writes, as it
  // would writing a file itself) instead of being read into a full queue and dropped.
  test("a single burst faster than the writer reaches the file whole, rotations included", async () => {
    const path = join(scratch, "burst", "burst.log");
    const N = 1_000_000;
    await withServer({ burst: service(`seq 1 ${N}; exec sleep 100000`, { file: path, max_size: 2_097_152, keep: 20 }) }, async (s) => {
      await waitFor("the last line in the file", () => existsSync(path) && readFileSync(path, "utf8").endsWith(` out ${N}\n`), 30_000);
      expect((await logFileOf(s, "burst")).dropped).toBe(0);
      const lines = allLines(path);
      expect(lines.length).toBe(N);
      const firstWrong = lines.findIndex((l, i) => LINE_RE.exec(l)?.[2] !== String(i + 1));
      expect(firstWrong).toBe(-1);
    });
  }, 60_000);
});

/** Runs the server in a private mount namespace where `dir` is a fresh tmpfs mounted with `options`. */
function inTmpfs(dir: string, options: string) {
  mkdirSync(dir, { recursive: true });
  return { wrap: ["unshare", "--mount", "--propagation", "private", "sh", "-c", `mount -t tmpfs -o ${options} zinit-test ${dir} && exec "$@"`, "sh"] };
}

describe.skipIf(!asRoot)("a disk that fails", () => {
  test("a full tmpfs: lines dropped and counted, ENOSPC in status, the service runs on; writing resumes when room comes back", async () => {
    const dir = join(scratch, "tiny");
    const path = join(dir, "app.log");
    const script = 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 0.02; done';
    await withServer(
      { app: service(script, { file: path, max_size: 0 }) },
      async (s) => {
        // The file lives in the server's mount namespace: reach it through its root.
        const inside = (p: string) => `/proc/${s.proc.pid}/root${p}`;
        await waitFor("lines in the file", () => existsSync(inside(path)) && readFileSync(inside(path), "utf8").includes(" out line 3\n"));
        // Fill the disk from outside.
        try {
          writeFileSync(inside(join(dir, "filler")), Buffer.alloc(256 * 1024));
        } catch (e) {
          expect((e as { code?: string }).code).toBe("ENOSPC");
        }
        const full = await waitFor("ENOSPC reported", async () => {
          const f = await logFileOf(s, "app");
          return f.error?.includes("ENOSPC") && f.dropped > 0 ? f : null;
        });
        expect(full.errors).toBeGreaterThanOrEqual(1);
        expect(full.error).toStartWith(`cannot write ${path}: `);
        const st = await status(s, "app");
        expect(st.state).toBe("running");
        const out = await s.cli("status", "app");
        expect(out.stdout).toMatch(new RegExp(`^log file: +${path} \\(.*\\d+ dropped, error: cannot write ${path}: .*ENOSPC`, "m"));
        // Room again: the next try (at most a second later) writes, and the error is cleared.
        rmSync(inside(join(dir, "filler")));
        const before = readFileSync(inside(path), "utf8").length;
        await waitFor("writing resumed", async () => (await logFileOf(s, "app")).error === null, 5_000);
        await waitFor("new lines", () => readFileSync(inside(path), "utf8").length > before);
        expect((await status(s, "app")).pid).toBe(st.pid);
      },
      inTmpfs(dir, "size=64k,mode=0755"),
    );
  });

  test("a read-only file system: EROFS in status, the service runs on", async () => {
    const dir = join(scratch, "ro");
    const path = join(dir, "app.log");
    await withServer(
      { app: service('while true; do echo tick; sleep 0.05; done', { file: path }) },
      async (s) => {
        const f = await waitFor("EROFS reported", async () => {
          const f = await logFileOf(s, "app");
          return f.error?.includes("EROFS") ? f : null;
        });
        expect(f).toMatchObject({ path, size: 0 });
        expect(f.error).toStartWith(`cannot write ${path}: `);
        expect((await status(s, "app")).state).toBe("running");
      },
      inTmpfs(dir, "ro,size=64k"),
    );
  });
});

describe("a path that cannot be used", () => {
  test("a directory that cannot be created: reported in status, the service runs on", async () => {
    writeFileSync(join(scratch, "plain"), "");
    const path = join(scratch, "plain", "logs", "app.log");
    await withServer({ app: service("while true; do echo tick; sleep 0.05; done", { file: path }) }, async (s) => {
      const f = await waitFor("error reported", async () => {
        const f = await logFileOf(s, "app");
        return f.error ? f : null;
      });
      expect(f.error).toStartWith(`cannot create directory ${join(scratch, "plain", "logs")}: `);
      expect(f.error).toContain("ENOTDIR");
      expect(f.errors).toBeGreaterThanOrEqual(1);
      const st = await status(s, "app");
      expect(st.state).toBe("running");
      // Retried, not given up: the error count grows as lines keep coming.
      await waitFor("a second try", async () => (await logFileOf(s, "app")).errors >= 2, 4_000);
      expect((await status(s, "app")).pid).toBe(st.pid);
    });
  });

  // Lines reach the file as bytes (no string per line); one longer than the cut
  // is cut there with the same marker as in the ring, and the lines after it
  // are whole, stdout and stderr each with its word.
  test("an over-long line is cut in the file as in `logs`; the lines around it are whole", async () => {
    const path = join(scratch, "long.log");
    const long = "L".repeat(MAX_LINE_CHARS + 500);
    await withServer({ long: service(`echo before; printf '%s\\n' '${long}'; echo after; echo on-err >&2; exec sleep 100000`, { file: path }) }, async (s) => {
      await waitFor("all four lines in the file", () => existsSync(path) && allLines(path).length >= 4);
      const texts = allLines(path).map((l) => LINE_RE.exec(l)?.slice(1));
      const cut = `${"L".repeat(MAX_LINE_CHARS)}… [cut 500 chars]`;
      expect(texts).toEqual([["out", "before"], ["out", cut], ["out", "after"], ["err", "on-err"]]);
      const ring = ((await s.rpc("service.logs", { name: "long" })) as { line: string }[]).map((l) => l.line);
      expect(ring).toContain(cut);
    });
  });

  test("a relative path is a config error naming the key", async () => {
    await withServer({}, async (s) => {
      writeFileSync(join(s.configDir, "bad.toml"), service("true", { file: "app.log" }));
      const r = await s.rpc("system.reload");
      expect(r.errors).toEqual(['bad.toml: logging.file: expected an absolute path, got "app.log"']);
    });
  });
});

describe("reload", () => {
  test("file logging changes apply in place: same pid, lines go to the new file; removing the key stops it", async () => {
    const first = join(scratch, "first.log");
    const second = join(scratch, "second.log");
    const script = 'i=0; while true; do echo "n $i"; i=$((i+1)); sleep 0.02; done';
    await withServer({ app: service(script, { file: first }) }, async (s) => {
      await waitState(s, "app", "running");
      const pid = (await status(s, "app")).pid;
      await waitFor("lines in first", () => existsSync(first) && readFileSync(first, "utf8").length > 0);
      writeFileSync(join(s.configDir, "app.toml"), service(script, { file: second, max_size: 0 }));
      const r = await s.rpc("system.reload");
      expect(r.changed).toEqual([{ name: "app", restarted: false }]);
      await waitFor("lines in second", () => existsSync(second) && readFileSync(second, "utf8").length > 0);
      expect((await status(s, "app")).pid).toBe(pid);
      expect((await logFileOf(s, "app")).path).toBe(second);
      const firstSize = statSync(first).size;
      await Bun.sleep(200);
      expect(statSync(first).size).toBe(firstSize);

      writeFileSync(join(s.configDir, "app.toml"), service(script, {}));
      await s.rpc("system.reload");
      expect(await logFileOf(s, "app")).toBeNull();
      const secondSize = statSync(second).size;
      await Bun.sleep(200);
      expect(statSync(second).size).toBe(secondSize);
      expect((await status(s, "app")).pid).toBe(pid);
    });
  });
});
