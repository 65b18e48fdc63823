/**
 * `--metrics HOST:PORT` through the compiled server: GET /metrics in the
 * Prometheus text format that promtool accepts, computed at scrape time (states
 * and health change between two scrapes); the same text from `zinit metrics`; 404
 * elsewhere; a port in use or a bad address refuses the start with the reason,
 * having started no service; ZINIT_METRICS works like the flag.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { freePort, http, promtoolCheck, runCmd, startServer, waitFor, zinit } from "./lib.ts";

const line = (text: string, prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));

describe("metrics listener", () => {
  test("GET /metrics: promtool-clean text computed per scrape; same text as `zinit metrics`; 404 and 405 elsewhere", async () => {
    const port = await freePort();
    const s = await startServer(
      {
        web: '[service]\nexec = "sleep 1000"\n',
        migrate: '[service]\nexec = "true"\noneshot = true\n',
        db: '[service]\nexec = "sleep 1000"\n[health]\ntype = "exec"\ntarget = "true"\ninterval_ms = 50\n[lifecycle]\nrestart_delay_ms = 50\n',
      },
      ["--metrics", `127.0.0.1:${port}`],
    );
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      expect(s.output()).toContain(`metrics on ${url}`);
      await waitFor("all up", async () => (await zinit("--socket", s.socket, "health")).code === 0);
      const r = await http(url);
      expect(r.status).toBe(200);
      expect(r.type).toBe("text/plain; version=0.0.4; charset=utf-8");
      const check = await promtoolCheck(r.body);
      expect(check.stdout + check.stderr).toBe("");
      expect(check.code).toBe(0);
      expect(line(r.body, "zinit_info{")).toMatch(/^zinit_info\{version="[^"]+",mode="standalone"\} 1$/);
      expect(line(r.body, 'zinit_service_state{service="web",state="running"}')).toEndWith(" 1");
      expect(line(r.body, 'zinit_service_state{service="migrate",state="exited"}')).toEndWith(" 1");
      expect(line(r.body, 'zinit_service_up{service="web"}')).toEndWith(" 1");
      expect(line(r.body, 'zinit_service_health_ok{service="db"}')).toEndWith(" 1");
      expect(line(r.body, 'zinit_service_health_ok{service="web"}')).toBeUndefined();
      const started = Number(line(r.body, 'zinit_service_start_time_seconds{service="web"}')!.split(" ")[1]);
      expect(Math.abs(started - Date.now() / 1000)).toBeLessThan(60);
      expect(line(r.body, "zinit_orphans_reaped_total ")).toMatch(/^zinit_orphans_reaped_total \d+$/);

      // Memory and CPU of the live processes, read at the scrape (from /proc or the service's cgroup).
      expect(Number(line(r.body, 'zinit_service_memory_bytes{service="web"}')!.split(" ")[1])).toBeGreaterThan(100_000);
      expect(line(r.body, 'zinit_service_cpu_seconds_total{service="web"}')).toMatch(/ \d+(\.\d+)?$/);
      expect(line(r.body, 'zinit_service_memory_bytes{service="migrate"}')).toBeUndefined();

      // The socket gives the same text (nothing changed in between but what the processes use).
      const cli = await zinit("--socket", s.socket, "metrics");
      expect(cli.code).toBe(0);
      const stable = (t: string) => t.split("\n").filter((l) => !/^zinit_service_(memory_bytes|cpu_seconds_total)\{/.test(l));
      expect(stable(cli.stdout)).toEqual(stable(r.body));
      expect(cli.stdout).toContain('zinit_service_memory_bytes{service="web"} ');

      // Computed at scrape time: a stop shows in the next scrape, and a crash counts.
      expect((await zinit("--socket", s.socket, "stop", "web")).code).toBe(0);
      const after = (await http(url)).body;
      expect(line(after, 'zinit_service_state{service="web",state="inactive"}')).toEndWith(" 1");
      expect(line(after, 'zinit_service_up{service="web"}')).toEndWith(" 0");
      expect(line(after, 'zinit_service_start_time_seconds{service="web"}')).toBeUndefined();
      expect((await zinit("--socket", s.socket, "kill", "db", "KILL")).code).toBe(0);
      await waitFor("the crash counted", async () =>
        line((await http(url)).body, 'zinit_service_restarts_total{service="db"}') === 'zinit_service_restarts_total{service="db"} 1',
      );

      const notFound = await http(`http://127.0.0.1:${port}/`);
      expect(notFound.status).toBe(404);
      expect((await http(`http://127.0.0.1:${port}/metrics/x`)).status).toBe(404);
      const post = await http(url, "POST");
      expect(post.status).toBe(405);
      expect((await http(url, "HEAD")).status).toBe(200);
    } finally {
      await s.stop();
    }
  }, 30_000);

  test("a port in use: the server refuses to start, says why, and started no service", async () => {
    const busy = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const dir = mkdtempSync(join(tmpdir(), "zinit-fleet-busy-"));
    const marker = join(dir, "ran");
    try {
      await Bun.write(join(dir, "services", "touch.toml"), `[service]\nexec = "touch ${marker}"\noneshot = true\n`);
      const r = await runCmd(
        [ZINIT, "server", "--config-dir", join(dir, "services"), "--socket", join(dir, "z.sock"), "--metrics", `127.0.0.1:${busy.port}`],
        { timeoutMs: 10_000 },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot serve metrics on 127.0.0.1:${busy.port}: the address is in use (another process listens on that port)`);
      expect(existsSync(marker)).toBe(false);
    } finally {
      busy.stop(true);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a malformed address is a usage error (exit 2) naming where it came from: flag or ZINIT_METRICS", async () => {
    const flag = await runCmd([ZINIT, "server", "--socket", "/tmp/zinit-unused.sock", "--metrics", "example.com:9100"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--metrics "example.com:9100": "example.com" is not an IP address');
    const env = await runCmd([ZINIT, "server", "--socket", "/tmp/zinit-unused.sock"], { env: { ZINIT_METRICS: "9100" } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('ZINIT_METRICS "9100": no port');
  });

  test("ZINIT_METRICS starts the listener like the flag", async () => {
    const port = await freePort();
    const prev = process.env.ZINIT_METRICS;
    process.env.ZINIT_METRICS = `127.0.0.1:${port}`;
    let s: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      s = await startServer({ web: '[service]\nexec = "sleep 1000"\n' });
    } finally {
      if (prev === undefined) delete process.env.ZINIT_METRICS;
      else process.env.ZINIT_METRICS = prev;
    }
    try {
      const r = await http(`http://127.0.0.1:${port}/metrics`);
      expect(r.status).toBe(200);
      expect(r.body).toContain('zinit_service_up{service="web"}');
    } finally {
      await s.stop();
    }
  });
});
