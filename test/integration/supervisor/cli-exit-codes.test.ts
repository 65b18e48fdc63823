/**
 * The CLI's exit codes against a real server (README, CLI): 0 success,
 * 1 failed or refused, 2 usage error, 3 service not found, 4 server unreachable.
 */
import { describe, expect, test } from "bun:test";
import { ZINIT } from "../../helpers/paths.ts";
import { service, status, waitState, withServer } from "./lib.ts";

const files = {
  web: service(["sleep", "1000"]),
  lazy: service(["sleep", "1000"], { service: { status: "stop" } }),
  // a oneshot is starting until it ends, so `start` waits for its failure
  doomed: service("sleep 0.1; exit 3", { service: { status: "stop", oneshot: true } }),
  ghostbin: service(["/nonexistent/x"], { service: { status: "stop" } }),
  off: service(["sleep", "1000"], { service: { status: "ignore" } }),
};

describe("CLI exit codes", () => {
  test("0 / 1 / 2 / 3 against a live server", async () => {
    await withServer(files, async (s) => {
      await waitState(s, "web", "running");

      const list = await s.cli("list");
      expect(list.code).toBe(0);
      expect(list.stdout).toContain("web");

      const listJson = await s.cli("list", "--json");
      expect(listJson.code).toBe(0);
      expect(JSON.parse(listJson.stdout).map((x: { name: string }) => x.name)).toContain("lazy");

      // start waits until settled: success is running, exit 0
      const ok = await s.cli("start", "lazy");
      expect(ok.code).toBe(0);
      expect((await status(s, "lazy")).state).toBe("running");

      // a service that ends failed: exit 1, naming the state
      const failed = await s.cli("start", "doomed");
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toContain("failed");
      expect((await status(s, "doomed")).state).toBe("failed");

      const spawnFail = await s.cli("start", "ghostbin");
      expect(spawnFail.code).toBe(1);
      expect(spawnFail.stdout + spawnFail.stderr).toContain("/nonexistent/x");

      // refused start of an ignored service: 1
      const refused = await s.cli("start", "off");
      expect(refused.code).toBe(1);

      // usage errors: 2
      expect((await s.cli("start")).code).toBe(2);
      expect((await s.cli("no-such-command")).code).toBe(2);
      expect((await s.cli("list", "--no-such-flag")).code).toBe(2);

      // unknown service: 3
      const unknownStatus = await s.cli("status", "nope");
      expect(unknownStatus.code).toBe(3);
      expect(unknownStatus.stdout + unknownStatus.stderr).toContain("nope");
      expect((await s.cli("start", "nope")).code).toBe(3);
      expect((await s.cli("stop", "nope")).code).toBe(3);

      // stop waits for inactive: 0
      const stop = await s.cli("stop", "web");
      expect(stop.code).toBe(0);
      expect((await status(s, "web")).state).toBe("inactive");
    });
  });

  test("4 when the server cannot be reached, naming the socket", async () => {
    const sock = "/nonexistent-dir/zinit-test.sock";
    const p = Bun.spawn([ZINIT, "--socket", sock, "list"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    expect(code).toBe(4);
    expect(stdout + stderr).toContain(sock);
  });

  test("4 after the server has shut down", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      const socket = s.socket;
      const shut = await s.cli("shutdown");
      expect(shut.code).toBe(0);
      await Promise.race([s.proc.exited, Bun.sleep(5000)]);
      expect(s.proc.exitCode).toBe(0);
      const p = Bun.spawn([ZINIT, "--socket", socket, "status", "web"], { stdout: "pipe", stderr: "pipe" });
      expect(await p.exited).toBe(4);
    });
  });
});
