/**
 * The executable works under every name, however it was installed: a copy (what a
 * Dockerfile's COPY makes, or /sbin/init), a symlink (install-links) or a hard link,
 * named zinit, zinit-pid1, zinit-server, init or anything else. The role is taken
 * from the name it is run by; and when pid1 starts the server, that child is a
 * server whatever the file is called (a copy named zinit-pid1 once started a
 * "server" that took the pid1 role, refused its arguments, and was restarted
 * forever). Each pid1 run is PID 1 of a fresh PID namespace, in container mode,
 * and must bring a service up and end with status 0 on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asRoot, listServices, nsPidOf, serverOf, service, waitFor, withPid1, ZINIT } from "./lib.ts";

setDefaultTimeout(30_000);

const METHODS = ["copy", "symlink", "hardlink"] as const;
type Method = (typeof METHODS)[number];
const NAMES = ["zinit", "zinit-pid1", "zinit-server", "init", "my-init"] as const;
type Name = (typeof NAMES)[number];
/** The usage line each name answers `--help` with: its role. */
const ROLE_USAGE: Record<Name, string> = {
  zinit: "usage: zinit ",
  "zinit-pid1": "usage: zinit-pid1 ",
  "zinit-server": "usage: zinit-server ",
  init: "usage: zinit-pid1 ",
  "my-init": "usage: zinit ",
};
const PID1_NAMES: readonly Name[] = ["zinit-pid1", "init"];

let base = "";
const installed = (method: Method, name: Name) => join(base, method, name);

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "zinit-names-"));
  // A private copy is the target of the links: a rebuild of dist/zinit during the run cannot change it.
  const original = join(base, "original", "zinit.bin");
  mkdirSync(join(base, "original"));
  copyFileSync(ZINIT, original);
  for (const method of METHODS) {
    mkdirSync(join(base, method));
    for (const name of NAMES) {
      const path = installed(method, name);
      if (method === "copy") copyFileSync(ZINIT, path);
      else if (method === "symlink") symlinkSync(original, path);
      else linkSync(original, path);
    }
  }
  Bun.spawnSync(["chmod", "-R", "a+rx", base]);
}, 60_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

describe("the role follows the name, for every way of installing the executable", () => {
  test("NAME --help, NAME server --help and NAME pid1 --help", async () => {
    const cases = METHODS.flatMap((method) => NAMES.map((name) => ({ method, name })));
    const seen = await Promise.all(
      cases.map(async ({ method, name }) => {
        const exe = installed(method, name);
        const own = (await run([exe, "--help"])).stdout.split("\n")[0];
        // Only the names that pick no role of their own take a role subcommand.
        const byName = ROLE_USAGE[name] !== ROLE_USAGE.zinit;
        const server = byName ? null : (await run([exe, "server", "--help"])).stdout.split("\n")[0];
        const pid1 = byName ? null : (await run([exe, "pid1", "--help"])).stdout.split("\n")[0];
        return { method, name, own: own?.startsWith(ROLE_USAGE[name]), server, pid1 };
      }),
    );
    expect(seen).toEqual(
      cases.map(({ method, name }) => {
        const byName = ROLE_USAGE[name] !== ROLE_USAGE.zinit;
        return {
          method,
          name,
          own: true,
          server: byName ? null : expect.stringMatching(/^usage: zinit-server /),
          pid1: byName ? null : expect.stringMatching(/^usage: zinit-pid1 /),
        };
      }),
    );
  });
});

describe.skipIf(!asRoot)("pid1 under every name, as PID 1 of a PID namespace, in container mode", () => {
  for (const method of METHODS) {
    test(`${method}: zinit, zinit-pid1, init and my-init start the server, run the service, and stop with 0`, async () => {
      const names = NAMES.filter((n) => n !== "zinit-server");
      const results = await Promise.all(
        names.map(async (name, i) => {
          const exe = installed(method, name);
          const sleep = `${100_600 + i}`;
          let outcome: Record<string, unknown> = {};
          await withPid1(
            { a: service(["sleep", sleep]) },
            async (r) => {
              expect(nsPidOf(r.init)).toBe(1);
              const list = await waitFor(`${name}: a running`, async () => {
                const l = await r.list();
                return l[0]?.state === "running" && l;
              });
              const info = JSON.parse((await r.cli("info", "--json")).stdout);
              // The server is PID 1's child, started by argv[0] "zinit" + `server`, not by the file's name.
              const server = serverOf(r);
              const copies = r.running(`sleep ${sleep}`).length;
              process.kill(r.init, "SIGTERM");
              const code = await r.waitExit(8000);
              outcome = {
                name,
                service: list[0]!.name,
                copies,
                mode: info.mode,
                server: server?.cmdline.split(" ").slice(0, 2).join(" "),
                code,
                looped: r.output().includes("Unexpected argument") || r.output().includes("server exited unexpectedly"),
                stopped: r.output().includes("all stopped; exiting"),
              };
            },
            {
              argv: (configDir, socket) => [exe, ...(PID1_NAMES.includes(name) ? [] : ["pid1"]), "--container", "--config-dir", configDir, "--socket", socket],
              readyTimeoutMs: 15_000,
            },
          );
          return outcome;
        }),
      );
      expect(results).toEqual(
        names.map((name) => ({ name, service: "a", copies: 1, mode: "container", server: "zinit server", code: 0, looped: false, stopped: true })),
      );
    });
  }
});

describe.skipIf(!asRoot)("the executable replaced on disk while pid1 runs (an upgrade in place)", () => {
  test("a crashed server is started again from the image pid1 runs, not from the path", async () => {
    const bin = mkdtempSync(join(tmpdir(), "zinit-names-upgrade-"));
    const exe = join(bin, "zinit-pid1");
    copyFileSync(ZINIT, exe);
    try {
      await withPid1(
        { a: service(["sleep", "100690"]) },
        async (r) => {
          await waitFor("a running", async () => (await r.list())[0]?.state === "running");
          // What a package manager does: a new file renamed over the old one, which is then gone.
          writeFileSync(join(bin, "new"), "#!/bin/sh\nexit 99\n", { mode: 0o755 });
          Bun.spawnSync(["mv", "-f", join(bin, "new"), exe]);
          const old = serverOf(r)!;
          process.kill(old.pid, "SIGKILL");
          await waitFor("a new server running a again", async () => {
            const s = serverOf(r);
            const l = s && s.pid !== old.pid ? await r.list() : null;
            return l?.[0]?.state === "running" && l;
          }, 10_000);
          expect(r.output()).not.toContain("cannot start the server");
          expect(r.running("sleep 100690")).toHaveLength(1);
          process.kill(r.init, "SIGTERM");
          expect(await r.waitExit(8000)).toBe(0);
        },
        { argv: (configDir, socket) => [exe, "--container", "--config-dir", configDir, "--socket", socket] },
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe("zinit-server under every way of installing it serves on its own", () => {
  test("copy, symlink and hard link named zinit-server: the service runs, SIGTERM ends with 0", async () => {
    const results = await Promise.all(
      METHODS.map(async (method, i) => {
        const dir = mkdtempSync(join(tmpdir(), "zinit-names-server-"));
        const configDir = join(dir, "services");
        mkdirSync(configDir);
        writeFileSync(join(configDir, "a.toml"), service(["sleep", `${100_650 + i}`]));
        const socket = join(dir, "z.sock");
        const p = Bun.spawn([installed(method, "zinit-server"), "--config-dir", configDir, "--socket", socket], {
          stdin: "ignore",
          stdout: "pipe",
          stderr: "pipe",
          env: { ...process.env, NO_COLOR: "1" },
        });
        const output = Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
        try {
          const list = await waitFor(`${method}: a running`, async () => {
            const l = await listServices(socket);
            return l[0]?.state === "running" && l;
          }, 10_000, 50);
          p.kill("SIGTERM");
          const code = await Promise.race([p.exited, Bun.sleep(8000).then(() => null)]);
          return { method, service: list[0]!.name, code };
        } catch (err) {
          for (const s of await listServices(socket).catch(() => [])) if (s.pid) try { process.kill(-s.pid, "SIGKILL"); } catch {}
          p.kill("SIGKILL");
          await p.exited;
          throw new Error(`${method}: ${(err as Error).message}\n${(await output).join("\n")}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
    expect(results).toEqual(METHODS.map((method) => ({ method, service: "a", code: 0 })));
  });
});
