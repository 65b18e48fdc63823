/**
 * zinit-pid1 with neither --container nor ZINIT_CONTAINER decides its mode itself.
 * As PID 1 of a fresh PID namespace (where PID 2 is not kthreadd) it must pick
 * container mode: mount nothing, shut down in order on SIGTERM and exit 0.
 * ZINIT_CONTAINER=0 forces VM mode there (system containers). Not PID 1 and not
 * asked: a clear error, nothing started.
 *
 * /sys is unmounted inside the namespace (its own private mount namespace) before
 * zinit starts, so that VM mode has something to mount and the two modes can be
 * told apart by the mount table, not only by what zinit says.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asRoot, nsPidOf, service, waitFor, withPid1, ZINIT } from "./lib.ts";

setDefaultTimeout(30_000);

function mountTargets(pid: number | "self"): Set<string> {
  // mountinfo: "id parent major:minor root mountpoint options ..."
  return new Set(readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ")[4]!));
}

/** PID 1 is `sh`, which unmounts /sys and then execs zinit in its place (the pid stays 1). */
function withoutSys(argv: string[]): string[] {
  return ["/bin/sh", "-c", 'umount -l /sys && exec "$@"', "sh", ...argv];
}

/** No flag, no ZINIT_CONTAINER, no `container` variable: only what zinit sees decides. */
const plainEnv = { ZINIT_CONTAINER: undefined, container: undefined };

describe.skipIf(!asRoot)("zinit-pid1 detects container mode as PID 1 of a PID namespace", () => {
  test("plain `zinit pid1` picks container mode (PID 2 is not kthreadd), mounts nothing, SIGTERM -> ordered shutdown, exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-detect-"));
    const order = join(dir, "order");
    const trap = (name: string) => `trap 'echo ${name} >> ${order}; exit 0' TERM; while :; do sleep 1 & wait $!; done`;
    try {
      await withPid1(
        {
          base: service(trap("base")),
          top: service(trap("top"), { dependencies: { requires: ["base"] } }),
        },
        async (run) => {
          expect(nsPidOf(run.init)).toBe(1);
          await waitFor("both running", async () => (await run.list()).every((s) => s.state === "running"));
          expect(run.output()).toContain("[zinit-pid1] container mode: PID 2 is not kthreadd (there is no PID 2)");
          expect(JSON.parse((await run.cli("info", "--json")).stdout).mode).toBe("container");
          // Nothing mounted: /sys stays unmounted, and no mount point exists that the host lacks.
          const ns = mountTargets(run.init);
          expect(ns.has("/sys")).toBe(false);
          const host = mountTargets("self");
          expect([...ns].filter((t) => !host.has(t))).toEqual([]);
          expect(run.output()).not.toContain("mounted ");

          process.kill(run.init, "SIGTERM");
          expect(await run.waitExit(8000)).toBe(0);
          expect(readFileSync(order, "utf8").trim().split("\n")).toEqual(["top", "base"]);
          const out = run.output();
          expect(out.indexOf("[zinit] all services stopped")).toBeGreaterThan(-1);
          expect(out.indexOf("[zinit-pid1] all stopped; exiting")).toBeGreaterThan(out.indexOf("[zinit] all services stopped"));
        },
        { argv: (configDir, socket) => withoutSys([ZINIT, "pid1", "--config-dir", configDir, "--socket", socket]), env: plainEnv },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("ZINIT_CONTAINER=0 forces VM mode there: /sys mounted, mode vm; SIGTERM powers off (reboot(2) ends the namespace)", async () => {
    await withPid1(
      { a: service(["sleep", "100701"]) },
      async (run) => {
        await waitFor("a running", async () => (await run.list())[0]?.state === "running");
        expect(run.output()).toContain("[zinit-pid1] VM mode: ZINIT_CONTAINER=0");
        expect(JSON.parse((await run.cli("info", "--json")).stdout).mode).toBe("vm");
        expect(mountTargets(run.init).has("/sys")).toBe(true);
        expect(run.output()).toMatch(/\[zinit-pid1\] mounted \/sys/);

        process.kill(run.init, "SIGTERM");
        const code = await run.waitExit(8000);
        // reboot(2) inside a PID namespace does not power anything off: the kernel
        // ends the namespace's init by SIGINT (poweroff) and unshare reports that.
        expect(run.output()).toContain("[zinit-pid1] powering off");
        expect(code).toBe(128 + 2);
        expect(run.running("sleep 100701")).toEqual([]);
      },
      { argv: (configDir, socket) => withoutSys([ZINIT, "pid1", "--config-dir", configDir, "--socket", socket]), env: { ...plainEnv, ZINIT_CONTAINER: "0" } },
    );
  });

  test("not PID 1, without --container or ZINIT_CONTAINER: exit 2 with an error naming the pid and the way out, nothing started", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-detect-"));
    try {
      const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
      delete env.ZINIT_CONTAINER;
      delete env.container;
      const p = Bun.spawn([ZINIT, "pid1", "--config-dir", join(dir, "services"), "--socket", join(dir, "z.sock")], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env });
      const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `zinit-pid1: not PID 1 (this is pid ${p.pid}): VM mode needs PID 1; pass --container (or ZINIT_CONTAINER=1) to run in container mode under another init\n`,
      );
      expect(stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
