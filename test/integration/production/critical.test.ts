/**
 * `critical = true` through the compiled executable: when such a unit ends failed,
 * zinit stops everything in order and ends with the unit's status — the server
 * standalone, zinit-pid1 as PID 1 of a container (under unshare). A healthy
 * container's SIGTERM still ends with 0; a user's stop of a critical unit is not a
 * failure. (VM mode — console message and emergency shell — is in the QEMU test.)
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { startPid1 } from "../pid1/lib.ts";
import { waitFor, waitState, withServer } from "../supervisor/lib.ts";

const marks = mkdtempSync(join(tmpdir(), "zinit-critical-"));

/** A long-running service that notes when it got SIGTERM, so the stop order shows. */
const noted = (name: string, deps = "") =>
  `[service]\nexec = ["sh", "-c", "trap 'echo ${name} >> ${marks}/stops; exit 0' TERM; while :; do sleep 0.05; done"]\n[dependencies]\n${deps}\n`;

const failing = (code: string, extra = "") => `[service]\nexec = ["sh", "-c", "sleep 0.3; ${code}"]\ncritical = true\n${extra}[lifecycle]\nrestart = "never"\n`;

async function serverRun(files: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), "zinit-critical-srv-"));
  Bun.spawnSync(["mkdir", "-p", join(dir, "s")]);
  for (const [n, t] of Object.entries(files)) await Bun.write(join(dir, "s", `${n}.toml`), t);
  const p = Bun.spawn([ZINIT, "server", "--config-dir", join(dir, "s"), "--socket", join(dir, "sock")], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, out: out + err };
}

describe("critical units, standalone", () => {
  test("a critical unit that exits 7 under restart = never: ordered shutdown, the server exits 7", async () => {
    await Bun.write(join(marks, "stops"), "");
    const r = await serverRun({ db: noted("db"), app: noted("app", 'requires = ["db"]'), job: failing("exit 7") });
    expect(r.code).toBe(7);
    expect(r.out).toMatch(/critical unit job failed \(exit code 7\): stopping everything; zinit ends with status 7/);
    expect(readFileSync(join(marks, "stops"), "utf8").trim().split("\n")).toEqual(["app", "db"]);
  }, 20_000);

  test("killed by a signal: 128 + N", async () => {
    const r = await serverRun({ job: failing("kill -KILL $$") });
    expect(r.code).toBe(137);
  }, 20_000);

  test("a spawn failure of a critical unit (it never ran): status 1", async () => {
    const r = await serverRun({ job: `[service]\nexec = "/nonexistent/zinit-critical"\ncritical = true\n[lifecycle]\nrestart = "never"\n` });
    expect(r.code).toBe(1);
    expect(r.out).toContain("critical unit job failed (spawn failed: /nonexistent/zinit-critical: no such file)");
  }, 20_000);

  test("a user's stop of a critical unit is not a failure: the server keeps running", async () => {
    await withServer({ job: `[service]\nexec = "sleep 1000"\ncritical = true\n` }, async (s) => {
      await waitState(s, "job", "running");
      expect((await s.cli("stop", "job")).code).toBe(0);
      await Bun.sleep(200);
      expect(s.proc.exitCode).toBeNull();
      expect((await s.cli("list")).code).toBe(0);
    });
  }, 20_000);
});

describe("critical units, container (zinit-pid1 as PID 1)", () => {
  test("pid1 ends with the critical unit's status after the ordered shutdown; the namespace is empty", async () => {
    const run = await startPid1({ app: noted("app"), job: failing("exit 42") }, { waitReady: false });
    try {
      const code = await run.waitExit(15_000);
      expect(code).toBe(42);
      expect(run.output()).toMatch(/critical unit job failed; exiting with status 42/);
    } finally {
      await run.cleanup();
    }
  }, 30_000);

  test("a healthy container's SIGTERM still ends with 0", async () => {
    const run = await startPid1({ job: `[service]\nexec = "sleep 1000"\ncritical = true\n` });
    try {
      await waitFor("job running", async () => (await run.list()).find((s) => s.name === "job" && s.state === "running"));
      process.kill(run.init, "SIGTERM");
      expect(await run.waitExit(10_000)).toBe(0);
    } finally {
      await run.cleanup();
    }
  }, 30_000);
});
