import { describe, expect, test } from "bun:test";
import { runCli } from "../../../src/cli/main.ts";
import type { CliIo } from "../../../src/cli/context.ts";
import { COMMANDS } from "../../../src/cli/registry.ts";
import { VERSION } from "../../../src/version.ts";

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    env: { ZINIT_SOCKET: "/nonexistent/zinit-test.sock" },
    now: () => Date.parse("2024-05-01T12:00:00Z"),
  };
  const code = await runCli(argv, { io, exitGuard: false });
  return { code, stdout, stderr };
}

describe("runCli", () => {
  test("version, plain and --json, flag before or after", async () => {
    expect(await run("version")).toEqual({ code: 0, stdout: `zinit ${VERSION}\n`, stderr: "" });
    expect(JSON.parse((await run("version", "--json")).stdout)).toEqual({ version: VERSION });
    expect(JSON.parse((await run("--json", "version")).stdout)).toEqual({ version: VERSION });
    expect((await run("--version")).stdout).toBe(`zinit ${VERSION}\n`);
  });

  test("--help: the first line is `usage: zinit ...`, every command listed", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toStartWith("usage: zinit ");
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name}`);
    expect(r.stdout).toContain("tui");
    expect(r.stdout).not.toContain("[partial]");
  });

  test("--help on every command, before or after it", async () => {
    for (const c of COMMANDS) {
      const r = await run(c.name, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")[0]).toBe(`usage: zinit ${c.name}${c.synopsis ? ` ${c.synopsis}` : ""}`);
    }
    expect((await run("-h", "logs")).stdout).toContain("-n, --lines N");
    expect((await run("help", "start")).stdout).toContain("--no-wait");
  });

  test("usage errors exit 2 with the message and a usage", async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("zinit: no command given");
    expect(none.stderr).toContain("usage: zinit ");

    const unknown = await run("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toStartWith('zinit: unknown command "frobnicate"\n');

    const missing = await run("status");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("zinit: missing argument NAME");
    expect(missing.stderr).toContain("usage: zinit status NAME...");

    expect((await run("list", "--frob")).code).toBe(2);
    expect((await run("kill", "a", "b", "c")).code).toBe(2);
    expect((await run("start", "web", "--timeout", "soon")).code).toBe(2);
    expect((await run("logs", "-n", "many")).code).toBe(2);
    expect((await run("create", "web")).stderr).toContain("give exactly one of -f FILE or --exec CMD");
    expect((await run("create", "web", "-f", "x.toml", "--exec", "y")).code).toBe(2);
    expect((await run("create", "web", "-f", "x.toml", "--oneshot")).code).toBe(2);
  });

  test("an unreachable server exits 4 naming the socket", async () => {
    const r = await run("list");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("/nonexistent/zinit-test.sock");
    const other = await run("status", "web", "--socket", "/nonexistent/other.sock");
    expect(other.code).toBe(4);
    expect(other.stderr).toContain("/nonexistent/other.sock");
  });

  test("create -f with a missing file is a failure naming it", async () => {
    const r = await run("create", "web", "-f", "/nonexistent/web.toml");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot read /nonexistent/web.toml: ENOENT");
  });
});
