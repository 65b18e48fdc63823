/**
 * Config directories that fight back, through the compiled server: a FIFO,
 * socket, device or directory named `*.toml` is reported by kind and skipped
 * (never opened: a FIFO would block the server until someone writes to it), and a
 * directory that is unreadable, renamed away or replaced by a file makes the
 * reload an error that changes nothing. A directory missing at start-up means an
 * empty start, filled by a later reload.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, closeSync, constants, mkdirSync, openSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { reload, SLEEP, status, unit, waitFor, waitState, withServer, write, type TestServer } from "./lib.ts";

const asRoot = process.getuid?.() === 0;

/** A reload that must answer within `ms`: a server blocked on a FIFO never would. */
async function promptReload(s: TestServer, ms = 3000): Promise<{ code: number; stdout: string; stderr: string }> {
  const started = performance.now();
  const result = await Promise.race([s.cli("reload"), Bun.sleep(ms).then(() => null)]);
  if (result === null) throw new Error(`zinit reload did not answer within ${ms} ms`);
  expect(performance.now() - started).toBeLessThan(ms);
  return result;
}

/**
 * Should a server be stuck opening the FIFO for reading, a non-blocking open for
 * writing succeeds (there is a reader) and frees it, so a failed test still stops
 * its server; with no reader it fails with ENXIO and does nothing.
 */
function freeFifo(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {}
}

async function listenOn(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

async function pids(s: TestServer): Promise<Record<string, number | null>> {
  const list = (await s.rpc("service.list")) as { name: string; pid: number | null }[];
  return Object.fromEntries(list.map((x) => [x.name, x.pid]));
}

describe("special files in a config directory", () => {
  test("a FIFO, socket, device or directory named *.toml is reported by kind and skipped; nothing blocks", async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      const web = await waitState(s, "web", "running");
      expect(Bun.spawnSync(["mkfifo", join(s.configDir, "x.toml")]).exitCode).toBe(0);
      mkdirSync(join(s.configDir, "dir.toml"));
      symlinkSync("/dev/null", join(s.configDir, "null.toml"));
      const sock = await listenOn(join(s.configDir, "sock.toml"));
      // A link to a regular file is a regular file.
      writeFileSync(join(s.dir, "linked-target"), unit(["sleep", "1001"]));
      symlinkSync(join(s.dir, "linked-target"), join(s.configDir, "linked.toml"));
      try {
        const r = await promptReload(s);
        expect(r.code).toBe(1);
        for (const line of [
          "dir.toml: not a regular file (directory); skipped",
          "null.toml: not a regular file (character device); skipped",
          "sock.toml: not a regular file (socket); skipped",
          "x.toml: not a regular file (fifo); skipped",
        ]) {
          expect(r.stdout).toContain(line);
        }
        expect(r.stdout).toMatch(/^added:\s+linked$/m);
        await waitState(s, "linked", "running");
        expect((await status(s, "web")).pid).toBe(web.pid);

        // SIGHUP takes the same path, and the socket keeps answering.
        s.proc.kill("SIGHUP");
        await waitFor("the SIGHUP reload to log the FIFO", () => s.output().includes("x.toml: not a regular file (fifo); skipped"), 3000);
        expect((await pids(s)).web).toBe(web.pid);

        // `zinit check` reads the directory with the same loader.
        const started = performance.now();
        const check = Bun.spawnSync([ZINIT, "check", s.configDir], { env: { ...process.env, NO_COLOR: "1" }, timeout: 5000 });
        expect(performance.now() - started).toBeLessThan(3000);
        expect(check.exitCode).toBe(1);
        expect(check.stdout.toString()).toContain("x.toml: not a regular file (fifo); skipped");
        expect(check.stdout.toString()).toMatch(/^2 services, 0 targets, 4 errors/m);
      } finally {
        sock.close();
        freeFifo(join(s.configDir, "x.toml"));
      }
    });
  });
});

describe("a config directory that cannot be read at reload", () => {
  test("renamed away, or replaced by a file: reload exits 1 naming it, nothing removed, pids kept", async () => {
    await withServer({ web: unit(SLEEP), db: unit(["sleep", "1001"]) }, async (s) => {
      await waitState(s, "web", "running");
      await waitState(s, "db", "running");
      const before = await pids(s);
      const away = `${s.configDir}.away`;

      renameSync(s.configDir, away);
      const missing = await promptReload(s);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toContain(`${s.configDir}: cannot read directory: no such file or directory (ENOENT); nothing changed`);
      expect(await pids(s)).toEqual(before);

      // SIGHUP meets the same refusal: nothing stops.
      s.proc.kill("SIGHUP");
      await waitFor("the SIGHUP reload to log the error", () => s.output().includes("(ENOENT); nothing changed"), 3000);
      await Bun.sleep(200);
      expect(await pids(s)).toEqual(before);

      writeFileSync(s.configDir, "not a directory\n");
      const r = await reload(s);
      expect(r).toMatchObject({ added: [], removed: [], changed: [] });
      expect(r.unchanged.sort()).toEqual(["db", "web"]);
      expect(r.errors).toEqual([`${s.configDir}: cannot read directory: not a directory (ENOTDIR); nothing changed`]);
      expect(await pids(s)).toEqual(before);

      // Back in place: the reload applies what changed meanwhile.
      unlinkSync(s.configDir);
      renameSync(away, s.configDir);
      write(s, "extra", unit(["sleep", "1002"]));
      const ok = await s.cli("reload");
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^added:\s+extra$/m);
      await waitState(s, "extra", "running");
      expect((await pids(s)).web).toBe(before.web!);
    });
  });

  // Root reads a chmod 000 directory anyway: the server runs as nobody, in dirs it owns.
  test.skipIf(!asRoot)("chmod 000 under an unprivileged server: an error naming the directory, services keep running", async () => {
    const nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    const chown = ({ dir }: { dir: string }) => {
      expect(Bun.spawnSync(["chown", "-R", "65534:65534", dir]).exitCode).toBe(0);
    };
    await withServer(
      { web: unit(SLEEP) },
      async (s) => {
        const web = await waitState(s, "web", "running");
        chmodSync(s.configDir, 0o000);
        const cli = await promptReload(s);
        expect(cli.code).toBe(1);
        expect(cli.stdout).toContain(`${s.configDir}: cannot read directory: permission denied (EACCES); nothing changed`);
        const r = await reload(s);
        expect(r.errors).toEqual([`${s.configDir}: cannot read directory: permission denied (EACCES); nothing changed`]);
        expect(r.removed).toEqual([]);
        await Bun.sleep(200);
        expect(await status(s, "web")).toMatchObject({ state: "running", pid: web.pid });

        chmodSync(s.configDir, 0o755);
        write(s, "extra", unit(["sleep", "1003"]));
        const ok = await reload(s);
        expect(ok.errors).toEqual([]);
        expect(ok.added).toEqual(["extra"]);
        expect(ok.unchanged).toEqual(["web"]);
      },
      { prepare: chown, wrap: nobody },
    );
  });
});

describe("a config directory missing at start-up", () => {
  test("the server starts empty and says which directory it could not read; a reload once it exists adds services", async () => {
    await withServer(
      {},
      async (s) => {
        await waitFor("the warning", () => s.output().includes(`${s.configDir}: cannot read directory: no such file or directory (ENOENT)`), 3000);
        expect(await s.rpc("service.list")).toEqual([]);
        // Still missing: nothing to apply, and nothing in force came from it.
        expect(await reload(s)).toMatchObject({ added: [], removed: [], errors: [] });

        mkdirSync(s.configDir);
        write(s, "web", unit(SLEEP));
        const r = await reload(s);
        expect(r).toMatchObject({ added: ["web"], errors: [] });
        await waitState(s, "web", "running");
      },
      { prepare: ({ configDir }) => rmSync(configDir, { recursive: true }) },
    );
  });
});
