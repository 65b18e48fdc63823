/**
 * A real Prometheus scrapes the compiled server's --metrics listener on 127.0.0.1
 * (scrape interval 1 s) and the values come back through its HTTP query API: the
 * proof that the exposition is what Prometheus itself ingests, not only what a
 * linter accepts. Needs the `prometheus` binary (scripts/setup-test-deps installs it).
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startServer, waitFor } from "./lib.ts";

const HAVE_PROMETHEUS = Bun.which("prometheus") !== null;

async function query(api: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== "success") throw new Error(`query ${q}: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe.skipIf(!HAVE_PROMETHEUS)("Prometheus scrapes zinit", () => {
  test("up, zinit_info, states and a sum over them read back through /api/v1/query", async () => {
    const [metricsPort, promPort] = [await freePort(), await freePort()];
    const s = await startServer(
      {
        web: '[service]\nexec = "sleep 1000"\n',
        off: '[service]\nexec = "sleep 1000"\nstatus = "stop"\n',
      },
      ["--metrics", `127.0.0.1:${metricsPort}`],
    );
    const dir = mkdtempSync(join(tmpdir(), "zinit-fleet-prom-"));
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "scrape_configs:",
        "  - job_name: zinit",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${metricsPort}"]`,
        "",
      ].join("\n"),
    );
    const prom = Bun.spawn(
      [
        "prometheus",
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    let promLog = "";
    void (async () => {
      for await (const c of prom.stderr) promLog += new TextDecoder().decode(c);
    })();
    const api = `http://127.0.0.1:${promPort}`;
    try {
      const up = await waitFor(
        "Prometheus to scrape zinit",
        async () => {
          const r = await query(api, 'up{job="zinit"}');
          return r.length === 1 && r[0]!.value[1] === "1" ? r : null;
        },
        15_000,
        200,
      );
      expect(up[0]!.metric.instance).toBe(`127.0.0.1:${metricsPort}`);
      const info = await query(api, "zinit_info");
      expect(info.length).toBe(1);
      expect(info[0]!.metric.mode).toBe("standalone");
      expect(info[0]!.metric.version).toMatch(/^\d+\.\d+\.\d+/);
      const running = await query(api, 'zinit_service_state{state="running"} == 1');
      expect(running.map((r) => r.metric.service)).toEqual(["web"]);
      const offState = await query(api, 'zinit_service_state{service="off"} == 1');
      expect(offState.map((r) => r.metric.state)).toEqual(["inactive"]);
      expect((await query(api, 'zinit_service_up{service="web"}'))[0]!.value[1]).toBe("1");
      // What Prometheus computes from our series: how many units are up.
      expect((await query(api, "sum(zinit_service_up)"))[0]!.value[1]).toBe("1");
    } catch (err) {
      if (err instanceof Error) err.message += `\n--- prometheus log ---\n${promLog.slice(-3000)}`;
      throw err;
    } finally {
      prom.kill("SIGTERM");
      await Promise.race([prom.exited, Bun.sleep(5000)]);
      if (prom.exitCode === null) prom.kill("SIGKILL");
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 25_000);
});
