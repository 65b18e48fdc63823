/**
 * Per-service figures without cgroups, through the compiled server and CLI: the
 * memory (RSS), CPU time and processes of a service's process group, read from
 * /proc when `status` or `list` asks; none without a process.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { waitFor, waitState, withServer } from "../supervisor/lib.ts";

function rssBytes(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : 0;
}

const svc = (script: string, extra = "") => `[service]\nexec = ["sh", "-c", ${JSON.stringify(script)}]\n${extra}\n[logging]\nforward = false\n`;

describe("status and list show memory, CPU and processes", () => {
  test("a service with children: every live process of its group, their RSS summed, CPU time counted", async () => {
    await withServer(
      {
        // Burns CPU in the shell itself, then waits on two children.
        busy: svc("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 100001 & sleep 100002 & wait"),
        idle: svc("exec sleep 100003", 'status = "stop"'),
      },
      async (s) => {
        const st = await waitFor("three processes", async () => {
          const st = await s.rpc("service.status", { name: "busy" });
          // three processes, both children past their exec (a fork not yet exec'd shows as "[sh]")
          const sleeps = (st.processes ?? []).filter((p: { cmd: string }) => p.cmd.startsWith("sleep 10000")).length;
          return st.processes?.length === 3 && sleeps === 2 ? st : null;
        }, 15_000);
        const cmds = st.processes.map((p: { cmd: string }) => p.cmd);
        expect(cmds[0]).toStartWith("sh -c i=0;");
        expect(cmds.slice(1).sort()).toEqual(["sleep 100001", "sleep 100002"]);
        expect(st.processes[0].pid).toBe(st.pid);
        expect(st.pids).toBe(3);
        // The sum of what /proc says of each, within what changes between two reads.
        const expected = st.processes.reduce((sum: number, p: { pid: number }) => sum + rssBytes(p.pid), 0);
        expect(st.memory_bytes).toBeGreaterThan(expected * 0.8);
        expect(st.memory_bytes).toBeLessThan(expected * 1.25);
        // 300,000 shell iterations take well over 100 ms of CPU.
        expect(st.cpu_ms).toBeGreaterThan(100);

        const idle = await s.rpc("service.status", { name: "idle" });
        expect({ memory_bytes: idle.memory_bytes, cpu_ms: idle.cpu_ms, pids: idle.pids, processes: idle.processes }).toEqual({
          memory_bytes: null,
          cpu_ms: null,
          pids: null,
          processes: [],
        });

        const list = await s.rpc("service.list");
        const byName = Object.fromEntries(list.map((x: { name: string; memory_bytes: number | null }) => [x.name, x.memory_bytes]));
        expect(byName.busy).toBeGreaterThan(expected * 0.8);
        expect(byName.idle).toBeNull();
      },
    );
  });

  test("zinit status prints memory, cpu and each process; zinit list has a MEM column; --json has the fields", async () => {
    await withServer({ app: svc("sleep 100004 & wait"), off: svc("exec sleep 1", 'status = "stop"') }, async (s) => {
      await waitState(s, "app", "running");
      await waitFor("the child", async () => (await s.rpc("service.status", { name: "app" })).processes.length === 2);
      const out = (await s.cli("status", "app")).stdout;
      expect(out).toMatch(/^memory: +\d+(\.\d)? (KiB|MiB)$/m);
      expect(out).toMatch(/^cpu: +\d+ ms$/m);
      expect(out).toMatch(/^processes: +2\n {2}\d+ sh -c sleep 100004 & wait\n {2}\d+ sleep 100004$/m);
      const off = (await s.cli("status", "off")).stdout;
      expect(off).toMatch(/^memory: +-$/m);
      expect(off).toMatch(/^processes: +0$/m);

      const list = (await s.cli("list")).stdout.split("\n");
      expect(list[0]).toMatch(/^NAME +STATE +PID +UPTIME +RESTARTS +HEALTH +MEM$/);
      expect(list.find((l) => l.startsWith("app "))).toMatch(/ \d+(\.\d)? (KiB|MiB)$/);
      expect(list.find((l) => l.startsWith("off "))).toMatch(/ -$/);

      const json = JSON.parse((await s.cli("status", "app", "--json")).stdout);
      expect(json.memory_bytes).toBeGreaterThan(0);
      expect(typeof json.cpu_ms).toBe("number");
      expect(json.processes).toHaveLength(2);
      expect(json.log_file).toBeNull();
    });
  });
});
