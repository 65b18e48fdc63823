/**
 * `zinit health` through the compiled executable, as a Kubernetes exec probe or a
 * Docker HEALTHCHECK runs it: exit 0 when every unit that should be up is up and
 * healthy, 1 naming each one that is not and why, 3 for an unknown name, 4 when the
 * server cannot be reached or hangs. It costs one request on one connection.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { healthToml, waitFor, waitState, withServer } from "../health/lib.ts";

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  const p = Bun.spawn([ZINIT, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

describe("zinit health", () => {
  test("0 when all is up (oneshot exited, check passing); 1 naming the unit whose check fails; named units only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-fleet-health-"));
    const ready = join(dir, "ready");
    writeFileSync(ready, "");
    try {
      await withServer(
        {
          web: '[service]\nexec = "sleep 1000"\n',
          migrate: '[service]\nexec = "true"\noneshot = true\n',
          db: `[service]\nexec = "sleep 1000"\n${healthToml({ type: "exec", target: `test -f ${ready}`, interval_ms: 50, retries: 1 })}`,
          off: '[service]\nexec = "sleep 1000"\nstatus = "stop"\n',
        },
        async (s) => {
          await waitState(s, "db", "running");
          await waitState(s, "migrate", "exited");
          const ok = await run("--socket", s.socket, "health");
          expect(ok.stdout).toBe("healthy: 3 units\n");
          expect(ok.code).toBe(0);

          const json = JSON.parse((await run("--socket", s.socket, "--json", "health")).stdout);
          expect(json.healthy).toBe(true);
          expect(json.units.map((u: { name: string }) => u.name)).toEqual(["db", "migrate", "web"]);

          // The check starts failing: the probe says which unit and why. (retries = 1
          // fails it at the first miss, so the service also gets restarted: accept
          // either what the failing check or the restart leaves to see.)
          unlinkSync(ready);
          const bad = await waitFor("health exit 1", async () => {
            const r = await run("--socket", s.socket, "health");
            return r.code === 1 ? r : null;
          });
          expect(bad.stdout).toMatch(/^db: (running, but its health check is failing: exit code 1|stopping: .*|starting: .*)\nunhealthy: 1 of 3 units\n$/);
          // Only web asked about: db's trouble does not matter.
          expect((await run("--socket", s.socket, "health", "web", "migrate")).code).toBe(0);
          // A unit with status = "stop" is not up; named, it fails.
          const off = await run("--socket", s.socket, "health", "off");
          expect(off.code).toBe(1);
          expect(off.stdout).toBe('off: inactive: not started (status = "stop")\nunhealthy: 1 of 1 unit\n');
          // A typo fails loudly instead of passing on the names that exist.
          const typo = await run("--socket", s.socket, "health", "web", "wbe");
          expect(typo.code).toBe(3);
          expect(typo.stderr).toContain('unknown service "wbe"');

          writeFileSync(ready, "");
          await waitFor("healthy again", async () => ((await run("--socket", s.socket, "health")).code === 0 ? true : null));
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("4 when no server listens on the socket, the message naming the socket", async () => {
    const r = await run("--socket", "/tmp/zinit-no-such-server.sock", "health");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("/tmp/zinit-no-such-server.sock");
  });

  // A server that accepts but never answers: the probe must fail by itself, not
  // wait for the prober's timeout; it sent exactly one request on one connection.
  test("4 within --timeout when the server hangs; one request on one connection", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-fleet-hang-"));
    const socket = join(dir, "hung.sock");
    const lines: string[] = [];
    let connections = 0;
    const listener = Bun.listen({
      unix: socket,
      socket: {
        open() {
          connections++;
        },
        data(_s, d) {
          lines.push(...d.toString().split("\n").filter(Boolean));
        },
      },
    });
    try {
      const r = await run("--socket", socket, "health", "--timeout", "0.3");
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`no answer from the zinit server at ${socket} within 0.3 s`);
      expect(r.ms).toBeLessThan(3000);
      expect(connections).toBe(1);
      expect(lines.map((l) => JSON.parse(l).method)).toEqual(["system.health"]);
    } finally {
      listener.stop(true);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad --timeout is a usage error", async () => {
    const r = await run("--socket", "/tmp/x.sock", "health", "--timeout", "soon");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--timeout: expected a positive number of seconds");
  });
});
