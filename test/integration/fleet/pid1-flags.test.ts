/**
 * zinit-pid1 hands --metrics (or ZINIT_METRICS) and --watch (or ZINIT_WATCH) on to
 * the server it starts, and refuses a malformed value itself, at once, instead of
 * letting the server fail and restart it over and over. Root: a PID namespace with
 * unshare.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { asRoot, startPid1, withPid1 } from "../pid1/lib.ts";
import { freePort, http, runCmd, waitFor } from "./lib.ts";

describe.skipIf(!asRoot)("pid1 passes --metrics and --watch on", () => {
  test("the flag reaches the server: /metrics answers with mode container", async () => {
    const port = await freePort();
    await withPid1(
      { web: '[service]\nexec = "sleep 1000"\n' },
      async () => {
        const body = await waitFor("metrics", async () => {
          const r = await http(`http://127.0.0.1:${port}/metrics`);
          return r.status === 200 && r.body.includes('zinit_service_up{service="web"} 1') ? r.body : null;
        });
        expect(body).toMatch(/^zinit_info\{version="[^"]+",mode="container"\} 1$/m);
      },
      { argv: (configDir, socket) => [ZINIT, "pid1", "--container", "--config-dir", configDir, "--socket", socket, "--metrics", `127.0.0.1:${port}`] },
    );
  }, 20_000);

  test("ZINIT_METRICS reaches the server too", async () => {
    const port = await freePort();
    await withPid1(
      { web: '[service]\nexec = "sleep 1000"\n' },
      async () => {
        const r = await http(`http://127.0.0.1:${port}/metrics`);
        expect(r.status).toBe(200);
      },
      { env: { ZINIT_METRICS: `127.0.0.1:${port}` } },
    );
  }, 20_000);

  test("a malformed address: pid1 exits 2 at once with the reason", async () => {
    const run = await startPid1({}, { waitReady: false, argv: (c, s) => [ZINIT, "pid1", "--container", "--config-dir", c, "--socket", s, "--metrics", "nine"] });
    try {
      expect(await run.waitExit(5000)).toBe(2);
      expect(run.output()).toContain('zinit-pid1: --metrics "nine": no port');
    } finally {
      await run.cleanup();
    }
    const env = await runCmd(["unshare", "--pid", "--fork", "--mount-proc", ZINIT, "pid1", "--container", "--socket", "/tmp/zinit-unused.sock"], {
      env: { ZINIT_METRICS: "host:1" },
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('ZINIT_METRICS "host:1": "host" is not an IP address');
  }, 20_000);

  test("--watch reaches the server: a new file in the directory starts by itself", async () => {
    await withPid1(
      {},
      async (run) => {
        writeFileSync(join(run.configDir, "web.toml"), '[service]\nexec = "sleep 1000"\n');
        await waitFor("web running", async () => (await run.list()).find((s) => s.name === "web" && s.state === "running"));
      },
      { argv: (configDir, socket) => [ZINIT, "pid1", "--container", "--config-dir", configDir, "--socket", socket, "--watch"] },
    );
  }, 20_000);

  test("ZINIT_WATCH that is neither on nor off: pid1 exits 2 at once", async () => {
    const r = await runCmd(["unshare", "--pid", "--fork", "--mount-proc", ZINIT, "pid1", "--container", "--socket", "/tmp/zinit-unused.sock"], {
      env: { ZINIT_WATCH: "maybe" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ZINIT_WATCH="maybe"');
  });
});
