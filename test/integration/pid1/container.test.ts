/**
 * Container mode for real: the compiled `zinit pid1 --container` as PID 1
 * of a fresh PID namespace (unshare --pid --fork --mount-proc), watched from the
 * host: services start from the config dir, orphans are reaped, SIGTERM from
 * outside gives the ordered shutdown and exit 0, a killed server is replaced with
 * every service running exactly once, and ZINIT_CONTAINER=1 / the zinit-pid1 name
 * select the same mode. ZINIT_GRACE_MS=500 and short stop timeouts keep each
 * test to a few seconds.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asRoot, hostProcsWith, namespaceProcs, nsPidOf, serverOf, service, waitFor, withPid1, ZINIT } from "./lib.ts";

setDefaultTimeout(30_000);

/** A shell loop that appends `name` to `file` on SIGTERM and exits 0 (`sleep & wait` keeps it responsive). */
function trapper(name: string, file: string): string {
  return `trap 'echo ${name} >> ${file}; exit 0' TERM; while :; do sleep 1 & wait $!; done`;
}

describe.skipIf(!asRoot)("zinit pid1 --container as PID 1 of a PID namespace", () => {
  test("starts the services of the config dir; the socket answers from the host", async () => {
    await withPid1(
      {
        a: service(["sleep", "100001"]),
        b: service("echo hello-from-b; exec sleep 100002"),
      },
      async (run) => {
        // zinit really is PID 1 in there, and the server is its child.
        expect(nsPidOf(run.init)).toBe(1);
        const server = serverOf(run);
        expect(server?.cmdline).toContain(`server --config-dir ${run.configDir} --socket ${run.socket} --mode container`);

        const list = await waitFor("a and b running", async () => {
          const l = await run.list();
          return l.filter((s) => s.state === "running").length === 2 && l;
        });
        expect(list.map((s) => s.name).sort()).toEqual(["a", "b"]);
        for (const [name, cmd] of [["a", "sleep 100001"], ["b", "sleep 100002"]] as const) {
          const procs = run.running(cmd);
          expect(procs).toHaveLength(1);
          // The pid the server reports is the namespace's pid of that very process.
          expect(list.find((s) => s.name === name)!.pid).toBe(nsPidOf(procs[0]!.pid));
        }
        const info = JSON.parse((await run.cli("info", "--json")).stdout);
        expect(info.mode).toBe("container");
        // Service output goes to PID 1's stdout, prefixed with the service name.
        await waitFor("b's output forwarded", () => run.output().includes("b| hello-from-b"));

        process.kill(run.init, "SIGTERM");
        expect(await run.waitExit(8000)).toBe(0);
      },
    );
  });

  test("a service leaving 1,000 orphans that exit leaves no zombie in the namespace", async () => {
    await withPid1(
      {
        storm: service("for i in $(seq 1000); do (sleep 0.05 &); done; echo storm-done; exec sleep 100011"),
      },
      async (run) => {
        await waitFor("the storm to finish", () => run.output().includes("storm| storm-done"), 20_000);
        // The last orphans exit ~50 ms after the loop; give the reapers a moment.
        // A subshell that has not yet exec'd its sleep still shows the script.
        await waitFor(
          "no zombie and no orphan left",
          () => run.zombies().length === 0 && run.procs().every((p) => p.cmdline !== "sleep 0.05" && !p.cmdline.includes("storm-done")),
          5000,
        );
        for (let i = 0; i < 5; i++) {
          expect(run.zombies()).toEqual([]);
          await Bun.sleep(60);
        }
        // The service itself is still the one process it was.
        expect(run.running("sleep 100011")).toHaveLength(1);
        const [storm] = await run.list();
        expect(storm).toMatchObject({ name: "storm", state: "running" });
        expect(run.output()).not.toContain("uncaught");
        expect(run.output()).not.toContain("unhandled");
      },
    );
  });

  test("a double-forking daemon's grandchild is re-parented and reaped", async () => {
    await withPid1(
      {
        daemon: service(`(sh -c 'sleep 0.4; exit 7' &) ; exec sleep 100021`),
      },
      async (run) => {
        const grandchild = await waitFor("the double-forked grandchild", () => run.running("sh -c sleep 0.4; exit 7")[0], 3000, 5);
        const daemon = await waitFor("the daemon", () => run.running("sleep 100021")[0]);
        // Its parent exited: it now belongs to a reaper of the namespace (the server, a
        // child subreaper, or PID 1), not to the service.
        const server = serverOf(run)!;
        expect([server.pid, run.init]).toContain(grandchild.ppid);
        expect(grandchild.ppid).not.toBe(daemon.pid);
        // Once it exits (status 7) it must be gone entirely, not left a zombie.
        await waitFor("the grandchild reaped", () => !run.procs().some((p) => p.pid === grandchild.pid), 3000);
        expect(run.zombies()).toEqual([]);
        expect(run.running("sleep 100021")).toHaveLength(1);
      },
    );
  });

  test("SIGTERM from outside: ordered shutdown worker, app, database, then the sweep, exit 0, nothing left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-pid1-order-"));
    const order = join(dir, "order");
    try {
      await withPid1(
        {
          database: service(trapper("database", order)),
          app: service(trapper("app", order), { dependencies: { requires: ["database"] } }),
          // The worker also leaves a process in a session of its own that no service
          // owns: the server's shutdown does not reach it, PID 1's sweep must.
          worker: service(`setsid sh -c ${JSON.stringify(trapper("stray", order))} & ${trapper("worker", order)}`, {
            dependencies: { requires: ["app"] },
          }),
        },
        async (run) => {
          await waitFor("all three running", async () => (await run.list()).every((s) => s.state === "running"));
          await waitFor("the stray process", () => run.procs().some((p) => p.cmdline.startsWith("sh -c trap 'echo stray")));
          const t0 = performance.now();
          // The pid whose parent is unshare: zinit-pid1, PID 1 of the namespace.
          process.kill(run.init, "SIGTERM");
          const code = await run.waitExit(10_000);
          const ms = performance.now() - t0;
          expect(code).toBe(0);
          expect(readFileSync(order, "utf8").trim().split("\n")).toEqual(["worker", "app", "database", "stray"]);
          // Everything stopped on SIGTERM: no escalation to SIGKILL was needed.
          expect(run.output()).not.toContain("SIGKILL");
          expect(run.output()).toContain("all stopped; exiting");
          expect(namespaceProcs(run.init)).toEqual([]);
          expect(hostProcsWith(order)).toEqual([]);
          expect(ms).toBeLessThan(5000);
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("SIGKILL of the server, twice: each time a new server serves the socket and every service runs exactly once", async () => {
    await withPid1(
      {
        s1: service(["sleep", "100031"]),
        s2: service(["sleep", "100032"], { dependencies: { requires: ["s1"] } }),
        s3: service(["sleep", "100033"], { dependencies: { requires: ["s2"] } }),
        // 100 orphans re-parented to the server: when it dies they pass to PID 1,
        // which must kill and reap them before the services start again.
        orphans: service("for i in $(seq 100); do (sleep 30 &); done; exec sleep 100034"),
      },
      async (run) => {
        const cmds = ["sleep 100031", "sleep 100032", "sleep 100033", "sleep 100034"];
        await waitFor("all running", async () => (await run.list()).every((s) => s.state === "running"));
        await waitFor("100 orphans", () => run.running("sleep 30").length === 100);
        // Twice: the second crash comes soon after the first, so the restart backs off.
        for (let round = 1; round <= 2; round++) {
          const before = new Map(cmds.map((c) => [c, run.running(c).map((p) => p.pid)]));
          for (const pids of before.values()) expect(pids).toHaveLength(1);
          const old = serverOf(run)!;
          expect(old).toBeDefined();

          process.kill(old.pid, "SIGKILL");

          const fresh = await waitFor("a new server", () => {
            const s = serverOf(run);
            return s && s.pid !== old.pid && s;
          });
          // The new server answers on the same socket path, with every service running again.
          const list = await waitFor("the new server to answer with all running", async () => {
            const l = await run.list();
            return l.length === 4 && l.every((s) => s.state === "running") && l;
          }, 8000);
          const info = JSON.parse((await run.cli("info", "--json")).stdout);
          expect(info.pid).toBe(nsPidOf(fresh.pid));

          // One /proc snapshot per look: how many of each, and the zombies.
          const census = () => {
            const ps = run.procs();
            const n = (cmd: string) => ps.filter((p) => p.state !== "Z" && p.cmdline === cmd).length;
            return { services: cmds.map((c) => [c, n(c)]), orphans: n("sleep 30"), zombies: ps.filter((p) => p.state === "Z").length };
          };
          const expected = { services: cmds.map((c) => [c, 1]), orphans: 100, zombies: 0 };
          await waitFor("each service exactly once, no zombie", () => Bun.deepEquals(census(), expected), 5000);
          // ...and it stays that way (no second copy started late by either server).
          for (let i = 0; i < 6; i++) {
            await Bun.sleep(100);
            expect(census()).toEqual(expected);
          }
          // None of the old processes survived; the new ones are what the server reports.
          for (const c of cmds) {
            const now = run.running(c)[0]!;
            expect(before.get(c)).not.toContain(now.pid);
            const name = `s${c.slice(-1)}`.replace("s4", "orphans");
            expect(list.find((s) => s.name === name)!.pid).toBe(nsPidOf(now.pid));
          }
          // Exactly one server, child of PID 1.
          expect(run.procs().filter((p) => / server( |$)/.test(p.cmdline))).toHaveLength(1);
          expect(run.output().split("server exited unexpectedly").length - 1).toBe(round);
        }

        process.kill(run.init, "SIGTERM");
        expect(await run.waitExit(8000)).toBe(0);
      },
    );
  });

  test("SIGINT from outside also shuts down in order and exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-pid1-order-"));
    const order = join(dir, "order");
    try {
      await withPid1(
        {
          base: service(trapper("base", order)),
          top: service(trapper("top", order), { dependencies: { requires: ["base"] } }),
        },
        async (run) => {
          await waitFor("both running", async () => (await run.list()).every((s) => s.state === "running"));
          process.kill(run.init, "SIGINT");
          expect(await run.waitExit(8000)).toBe(0);
          expect(readFileSync(order, "utf8").trim().split("\n")).toEqual(["top", "base"]);
          expect(run.output()).toContain("all stopped; exiting");
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("ZINIT_CONTAINER=1 zinit pid1 (no flag) is container mode", async () => {
    await withPid1(
      { a: service(["sleep", "100041"]) },
      async (run) => {
        expect(nsPidOf(run.init)).toBe(1);
        await waitFor("a running", async () => (await run.list())[0]?.state === "running");
        expect(run.running("sleep 100041")).toHaveLength(1);
        expect(JSON.parse((await run.cli("info", "--json")).stdout).mode).toBe("container");
        expect(serverOf(run)?.cmdline).toContain("--mode container");
        process.kill(run.init, "SIGTERM");
        // VM mode would power off (reboot(2) ends a PID namespace's init with a signal, never 0).
        expect(await run.waitExit(8000)).toBe(0);
        expect(run.output()).toContain("all stopped; exiting");
      },
      {
        argv: (configDir, socket) => [ZINIT, "pid1", "--config-dir", configDir, "--socket", socket],
        env: { ZINIT_CONTAINER: "1" },
      },
    );
  });

  for (const viaEnv of [false, true]) {
    test(`invoked as zinit-pid1 (symlink from install-links)${viaEnv ? " with ZINIT_CONTAINER=1" : " --container"}`, async () => {
      const bin = mkdtempSync(join(tmpdir(), "zinit-links-"));
      try {
        const links = Bun.spawnSync([ZINIT, "install-links", bin], { stdout: "pipe", stderr: "pipe" });
        expect(links.exitCode).toBe(0);
        expect(readlinkSync(join(bin, "zinit-pid1"))).toBe(ZINIT);
        await withPid1(
          { a: service(["sleep", "100051"]) },
          async (run) => {
            expect(run.procs()[0]!.cmdline).toStartWith(join(bin, "zinit-pid1"));
            await waitFor("a running", async () => (await run.list())[0]?.state === "running");
            expect(run.running("sleep 100051")).toHaveLength(1);
            expect(JSON.parse((await run.cli("info", "--json")).stdout).mode).toBe("container");
            process.kill(run.init, "SIGTERM");
            expect(await run.waitExit(8000)).toBe(0);
            expect(run.output()).toContain("all stopped; exiting");
          },
          {
            argv: (configDir, socket) => [join(bin, "zinit-pid1"), ...(viaEnv ? [] : ["--container"]), "--config-dir", configDir, "--socket", socket],
            env: viaEnv ? { ZINIT_CONTAINER: "1" } : {},
          },
        );
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });
  }
});
