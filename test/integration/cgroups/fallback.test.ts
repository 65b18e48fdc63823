/**
 * Without a cgroup v2 hierarchy zinit may write to, through the compiled server:
 * services run just the same, tracked by their process group; `info` says
 * `cgroups: unavailable (REASON)`; a service with [resources] says in its reason
 * that its limits are not enforced; figures come from /proc; a reload that only
 * changes limits restarts nothing. This machine has no usable cgroup v2 (hybrid
 * layout, controllers with cgroup v1), and a test server shares its cgroup with
 * the test runner anyway; ZINIT_CGROUPS=off turns cgroups off anywhere.
 * (With cgroups — limits, OOM kills, whole-cgroup stops — see test/integration/vm/.)
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { service, waitFor, waitState, withServer, type TestServer } from "../supervisor/lib.ts";

interface Info {
  cgroups: { enabled: boolean; path: string | null; reason: string | null; controllers: string[] };
}

const limited = (seconds: number, resources: Record<string, string | number>) => service(`exec sleep ${seconds}`, { resources });

/** With ZINIT_CGROUPS set in the server's environment for the length of `fn`'s start. */
async function withEnv(value: string | undefined, fn: () => Promise<void>): Promise<void> {
  const before = process.env.ZINIT_CGROUPS;
  if (value === undefined) delete process.env.ZINIT_CGROUPS;
  else process.env.ZINIT_CGROUPS = value;
  try {
    await fn();
  } finally {
    if (before === undefined) delete process.env.ZINIT_CGROUPS;
    else process.env.ZINIT_CGROUPS = before;
  }
}

/** Whether this machine keeps its controllers in cgroup v1 (cgroup2 only as the controller-less "unified" tree). */
function hybridHost(): boolean {
  const controllers = (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : "");
  return existsSync("/sys/fs/cgroup/unified/cgroup.controllers") && !/\bmemory\b/.test(controllers("/sys/fs/cgroup/unified/cgroup.controllers"));
}

describe("cgroups unavailable", () => {
  test("info names the reason; [resources] services run with 'limits not enforced'; figures come from /proc; stops still work", async () => {
    await withEnv(undefined, () =>
      withServer({ capped: limited(100_801, { memory_max: "64M", pids_max: 16 }), plain: service("exec sleep 100802") }, async (s: TestServer) => {
        const info = (await s.rpc("system.info")) as Info;
        expect(info.cgroups.enabled).toBe(false);
        expect(info.cgroups.path).toBeNull();
        expect(info.cgroups.reason).toBeTruthy();
        if (hybridHost()) expect(info.cgroups.reason).toContain("this host gives them to cgroup v1");
        const out = await s.cli("info");
        expect(out.code).toBe(0);
        expect(out.stdout).toContain(`cgroups:    unavailable (${info.cgroups.reason})`);
        expect(s.output()).toContain(`[zinit] cgroups: unavailable (${info.cgroups.reason})`);

        const capped = await waitState(s, "capped", "running");
        expect(capped.reason).toBe(`started (pid ${capped.pid}); limits not enforced: no writable cgroup v2`);
        const plain = await waitState(s, "plain", "running");
        expect(plain.reason).toBe(`started (pid ${plain.pid})`);

        const st = await s.rpc("service.status", { name: "capped" });
        expect(st.config.resources).toEqual({ memory_max: 64 * 2 ** 20, memory_high: null, cpu_max: null, cpu_weight: null, pids_max: 16 });
        expect(st.pids).toBe(1);
        expect(st.memory_bytes).toBeGreaterThan(0);
        expect(st.processes.map((p: { pid: number }) => p.pid)).toEqual([capped.pid]);

        expect((await s.cli("stop", "capped")).code).toBe(0);
        await waitState(s, "capped", "inactive", "stopped by user");
      }),
    );
  });

  test("ZINIT_CGROUPS=off: unavailable, 'turned off', whatever the machine offers", async () => {
    await withEnv("off", () =>
      withServer({ capped: limited(100_803, { cpu_max: "50%" }) }, async (s) => {
        const info = (await s.rpc("system.info")) as Info;
        expect(info.cgroups).toEqual({ enabled: false, path: null, reason: "turned off (ZINIT_CGROUPS=off)", controllers: [] });
        await waitState(s, "capped", "running", /; limits not enforced: no writable cgroup v2$/);
      }),
    );
  });

  test("a reload that changes only [resources] keeps the process; a bad limit is refused naming file and key", async () => {
    await withEnv(undefined, () =>
      withServer({ capped: limited(100_804, { memory_max: "64M" }) }, async (s) => {
        const before = await waitState(s, "capped", "running");
        writeFileSync(join(s.configDir, "capped.toml"), limited(100_804, { memory_max: "128M", cpu_weight: 50 }));
        const r = await s.rpc("system.reload");
        expect(r.changed).toEqual([{ name: "capped", restarted: false }]);
        const after = await s.rpc("service.status", { name: "capped" });
        expect(after.pid).toBe(before.pid);
        expect(after.config.resources.memory_max).toBe(128 * 2 ** 20);

        writeFileSync(join(s.configDir, "capped.toml"), limited(100_804, { memory_max: "128 MB" }));
        const bad = await s.rpc("system.reload");
        expect(bad.errors).toEqual(['capped.toml: resources.memory_max: expected a size in bytes or with a K, M, G or T suffix (like "256M"), got "128 MB"']);
        await waitFor("still running", async () => (await s.rpc("service.status", { name: "capped" })).pid === before.pid);
      }),
    );
  });
});
