/**
 * Standalone, the server is child subreaper (docs/architecture.md): a service that
 * double-forks (the daemon idiom: fork, setsid, parent exits) leaves a grandchild
 * that is re-parented to the server, not to init, and reaped by it — no zombie.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allProcs, procInfo, service, statusField, waitFor, waitState, withServer, zombiesOf } from "./lib.ts";

/**
 * sh script: a subshell starts a grandchild in a session of its own (so the
 * service's group signals do not reach it), which writes its pid and lives `secs`;
 * the subshell exits at once, orphaning it. Once the pid is written, `tail` runs.
 */
function doubleFork(pidFile: string, secs: number, tail: string): string {
  // Wait for the pid file: until the grandchild has called setsid it is still in the
  // service's group, which zinit cleans up when the service's leader exits.
  const spawn = `( setsid sh -c 'echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; sleep ${secs}; exit 0' </dev/null >/dev/null 2>&1 & )`;
  return `${spawn}; while [ ! -s ${pidFile} ]; do sleep 0.01; done; ${tail}`;
}

async function readPid(file: string): Promise<number> {
  return waitFor(`pid in ${file}`, () => {
    try {
      const n = Number(readFileSync(file, "utf8").trim());
      return n > 0 ? n : null;
    } catch {
      return null;
    }
  });
}

describe("child subreaper", () => {
  test("a grandchild orphaned by a running service is re-parented to the server and reaped", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-reaper-"));
    try {
      const pidFile = join(tmp, "gc");
      await withServer({ daemon: service(doubleFork(pidFile, 0.5, "exec sleep 1000")) }, async (s) => {
        const serverPid = s.proc.pid;
        expect((await s.rpc("system.info")).pid).toBe(serverPid);
        const svc = await waitState(s, "daemon", "running");
        const gc = await readPid(pidFile);
        expect(gc).not.toBe(svc.pid);
        // its own parent (the subshell) is gone: the nearest subreaper is the server
        await waitFor("re-parented", () => statusField(gc, "PPid") === String(serverPid), 1000);
        expect(procInfo(gc)!.state).not.toBe("Z");
        // it exits after 0.5 s and must be reaped, not left as a zombie of the server
        await waitFor("grandchild reaped", () => procInfo(gc) === null, 3000);
        expect(zombiesOf(serverPid)).toEqual([]);
        // and it is accounted for
        expect((await s.rpc("system.info")).reaped_orphans).toBeGreaterThanOrEqual(1);
        // the service itself is untouched
        const after = await waitState(s, "daemon", "running");
        expect(after.pid).toBe(svc.pid);
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("a oneshot that double-forks and exits: exited, its grandchild re-parented and reaped", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "zinit-sup-reaper-"));
    try {
      const pidFile = join(tmp, "gc");
      await withServer(
        { launcher: service(doubleFork(pidFile, 0.5, "exit 0"), { service: { oneshot: true } }) },
        async (s) => {
          const serverPid = s.proc.pid;
          const st = await waitState(s, "launcher", "exited");
          expect(st.exit).toEqual({ code: 0, signal: null });
          const gc = await readPid(pidFile);
          await waitFor("re-parented", () => statusField(gc, "PPid") === String(serverPid), 1000);
          await waitFor("grandchild reaped", () => procInfo(gc) === null, 3000);
          expect(zombiesOf(serverPid)).toEqual([]);
          // the server still serves and nothing changed state
          expect((await s.rpc("service.status", { name: "launcher" })).state).toBe("exited");
        },
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  // Many exits at once: services' own processes and orphans alike leave no zombie.
  test("a burst of 30 orphans leaves no zombie under the server", async () => {
    const script = `i=0; while [ $i -lt 30 ]; do ( sh -c 'sleep 0.2' & ); i=$((i+1)); done; exec sleep 1000`;
    await withServer({ spawner: service(script) }, async (s) => {
      const serverPid = s.proc.pid;
      await waitState(s, "spawner", "running");
      await waitFor("orphans re-parented", () => {
        const kids = readdirChildren(serverPid);
        return kids.length >= 2 ? kids : null;
      }, 2000);
      await Bun.sleep(600);
      expect(zombiesOf(serverPid)).toEqual([]);
      // only the service itself is left as a child of the server
      const st = await s.rpc("service.status", { name: "spawner" });
      expect(readdirChildren(serverPid).filter((p) => p !== st.pid)).toEqual([]);
    });
  });
});

/** Live (non-zombie) children of `ppid`. */
function readdirChildren(ppid: number): number[] {
  return allProcs()
    .filter((p) => p.ppid === ppid && p.state !== "Z")
    .map((p) => p.pid);
}
