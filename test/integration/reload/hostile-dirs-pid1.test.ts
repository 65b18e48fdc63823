/**
 * Hostile config directories with zinit as PID 1 of a PID namespace (container
 * mode), the way a container runtime runs it: a FIFO named `*.toml` present from
 * the start does not keep the server from starting or answering, and a config
 * directory renamed away makes `zinit reload` and SIGHUP errors that stop nothing.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { closeSync, constants, openSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asRoot, nsPidOf, serverOf, service, waitFor, withPid1, ZINIT } from "../pid1/lib.ts";

setDefaultTimeout(30_000);

/** Frees a server stuck opening the FIFO (if any), so a failed test still ends. */
function freeFifo(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {}
}

describe.skipIf(!asRoot)("hostile config directories under zinit-pid1 --container as PID 1", () => {
  test("a FIFO from the start and a directory renamed away block nothing and stop nothing", async () => {
    let fifo = "";
    await withPid1(
      { web: service(["sleep", "100021"]) },
      async (run) => {
        try {
          expect(nsPidOf(run.init)).toBe(1);
          const web = await waitFor("web running", async () => (await run.list()).find((s) => s.name === "web" && s.state === "running"));
          await waitFor("the start-up warning", () => run.output().includes("x.toml: not a regular file (fifo); skipped"), 3000);

          const started = performance.now();
          const r = await run.cli("reload");
          expect(performance.now() - started).toBeLessThan(3000);
          expect(r.code).toBe(1);
          expect(r.stdout).toContain("x.toml: not a regular file (fifo); skipped");

          const away = `${run.configDir}.away`;
          renameSync(run.configDir, away);
          const missing = await run.cli("reload");
          expect(missing.code).toBe(1);
          expect(missing.stdout).toContain(`${run.configDir}: cannot read directory: no such file or directory (ENOENT); nothing changed`);
          process.kill(serverOf(run)!.pid, "SIGHUP");
          await waitFor("the SIGHUP reload's error", () => run.output().includes("(ENOENT); nothing changed"), 3000);
          await Bun.sleep(200);
          expect((await run.list()).find((s) => s.name === "web")).toMatchObject({ state: "running", pid: web.pid });
          expect(run.running("sleep 100021")).toHaveLength(1);

          renameSync(away, run.configDir);
          writeFileSync(join(run.configDir, "extra.toml"), service(["sleep", "100022"]));
          const back = await run.cli("reload");
          expect(back.stdout).toMatch(/^added:\s+extra$/m);
          await waitFor("extra running", async () => (await run.list()).find((s) => s.name === "extra" && s.state === "running"));

          process.kill(run.init, "SIGTERM");
          expect(await run.waitExit(8000)).toBe(0);
        } finally {
          freeFifo(fifo);
        }
      },
      {
        // Called after the service files are written and before PID 1 starts:
        // the FIFO is there from the very first load.
        argv: (configDir, socket) => {
          fifo = join(configDir, "x.toml");
          expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
          return [ZINIT, "pid1", "--container", "--config-dir", configDir, "--socket", socket];
        },
      },
    );
  });
});
