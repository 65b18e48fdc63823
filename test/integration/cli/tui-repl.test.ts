/**
 * `zinit repl` fed through a pipe and `zinit tui` on a real pseudo-terminal
 * (util-linux `script`), both against a real server.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { startServer, stateOf, waitFor, type TestServer } from "../../helpers/server.ts";
import { buildOnce, run } from "./build.ts";

const FILES: Record<string, string> = {
  a: "[service]\nexec = \"sh -c 'echo hello-from-a; exec sleep 1000'\"\n",
  b: '[service]\nexec = "/bin/sleep 1000"\n',
};

let server: TestServer;
let dir: string;

beforeAll(async () => {
  await buildOnce();
  server = await startServer(FILES);
  dir = mkdtempSync(join(tmpdir(), "zinit-tui-repl-"));
  await waitFor("a and b running", async () => {
    const list = (await server.rpc("service.list")) as { state: string }[];
    return list.length === 2 && list.every((s) => s.state === "running");
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function repl(input: string, args: string[] = ["--socket", server.socket]) {
  const history = join(dir, `history-${Math.random().toString(36).slice(2)}`);
  const p = Bun.spawn([ZINIT, ...args, "repl"], {
    stdin: new Blob([input]),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ZINIT_HISTORY: history },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  let saved = "";
  try {
    saved = readFileSync(history, "utf8");
  } catch {}
  return { code, stdout, stderr, history: saved };
}

describe("repl", () => {
  test("runs each line as a command; errors are printed and it goes on; exit 0", async () => {
    const r = await repl("list\nstatus a\nbogus\nexit\nlist\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("zinit> NAME ");
    expect(r.stdout).toMatch(/^a +running +\d+/m);
    expect(r.stdout).toMatch(/^zinit> name: +a$/m);
    expect(r.stdout.split("zinit> ").length - 1).toBe(4);
    expect(r.stderr).toContain('zinit: unknown command "bogus"');
    expect(r.history).toBe("list\nstatus a\nbogus\nexit\n");
  });

  test("the session's --json applies to every line; commands act on the server", async () => {
    const r = await repl("stop b\nstatus b\nstart b\n", ["--socket", server.socket, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"state": "inactive"');
    expect((await stateOf(server, "b")).state).toBe("running");
  });

  test("with the server unreachable every command fails, the repl still ends with 0", async () => {
    const r = await repl("list\nversion\n", ["--socket", join(dir, "nope.sock")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("cannot reach the zinit server");
    expect(r.stdout).toContain("zinit ");
  });

  test("repl and tui are refused inside the repl", async () => {
    const r = await repl("tui\nrepl\n");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("zinit: tui: not available inside the repl");
    expect(r.stderr).toContain("zinit: repl: not available inside the repl");
  });
});

describe("tui", () => {
  test("without a terminal it refuses with a usage error", async () => {
    const r = await run(["--socket", server.socket, "tui"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("tui needs a terminal");
  });

  const hasScript = Bun.spawnSync(["sh", "-c", "command -v script"]).exitCode === 0;

  test.skipIf(!hasScript)("on a terminal: shows the services, S stops, l shows logs, q quits and restores", async () => {
    const p = Bun.spawn(["script", "-qefc", `${ZINIT} --socket ${server.socket} tui`, "/dev/null"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1", TERM: "xterm", COLUMNS: "100", LINES: "30" },
    });
    let out = "";
    void (async () => {
      const dec = new TextDecoder();
      for await (const c of p.stdout) out += dec.decode(c, { stream: true });
    })();
    const send = (keys: string) => {
      p.stdin.write(keys);
      p.stdin.flush();
    };
    try {
      await waitFor("the table", () => out.includes("\u001b[?1049h") && /> a +running/.test(out));
      expect(out).toMatch(/ {2}b +running/);
      send("S");
      await waitFor("a stopped", async () => (await stateOf(server, "a")).state === "inactive");
      await waitFor("the table to show it", () => /> a +inactive/.test(out));
      send("s");
      await waitFor("a running again", async () => (await stateOf(server, "a")).state === "running");
      send("l");
      await waitFor("the log pane", () => out.includes("── logs: a") && out.includes("hello-from-a"));
      send("q");
      const code = await Promise.race([p.exited, Bun.sleep(5000).then(() => "timeout")]);
      expect(code).toBe(0);
      // The terminal is given back: alternate screen left, cursor shown.
      expect(out.lastIndexOf("\u001b[?1049l")).toBeGreaterThan(out.lastIndexOf("\u001b[?1049h"));
      expect(out.lastIndexOf("\u001b[?25h")).toBeGreaterThan(out.lastIndexOf("\u001b[?25l"));
    } finally {
      if (p.exitCode === null) p.kill("SIGKILL");
    }
  });
});
