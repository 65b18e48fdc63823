/**
 * What the CLI says is true now, against a real server: a stopped service does not
 * show its last health result as current (list: "-", status: the last result
 * marked as old, with its time; JSON: health null, last_health kept). And the names
 * scripts written for the Rust zinit use: `ls`, `tree`, `logs` with several names
 * and `--since`.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { ZINIT } from "../../helpers/paths.ts";
import { runCli, startServer, waitFor, type TestServer } from "../../helpers/server.ts";
import { buildOnce } from "../cli/build.ts";

setDefaultTimeout(60_000);

const FILES: Record<string, string> = {
  checked: '[service]\nexec = "/bin/sleep 1000"\n[health]\ntype = "exec"\ntarget = "true"\ninterval_ms = 50\n',
  one: "[service]\nexec = \"sh -c 'echo one-a; echo one-b; exec sleep 1000'\"\n",
  two: "[service]\nexec = \"sh -c 'echo two-a; exec sleep 1000'\"\n",
  three: "[service]\nexec = \"sh -c 'echo three-a; exec sleep 1000'\"\n[dependencies]\nrequires = [\"one\"]\n",
};

let server: TestServer;
const cli = (...args: string[]) => runCli(server.socket, ...args);

beforeAll(async () => {
  await buildOnce();
  server = await startServer(FILES);
  await waitFor("all running, checked passing", async () => {
    const list = (await server.rpc("service.list")) as { name: string; state: string; health: string | null }[];
    return list.every((s) => s.state === "running") && list.find((s) => s.name === "checked")?.health === "passing";
  }, 15_000);
  await waitFor("three lines of output buffered", async () => ((await server.rpc("service.logs", {})) as unknown[]).length >= 4);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("a stopped service's health is not current", () => {
  test("running: passing in list and status; stopped: '-' in list, the last result marked old in status", async () => {
    expect((await cli("list")).stdout).toMatch(/^checked +running +\d+ +\S+ +0 +passing/m);
    expect((await cli("status", "checked")).stdout).toMatch(/^health: +passing, checked \d{4}-/m);

    expect((await cli("stop", "checked")).code).toBe(0);
    const list = (await cli("list")).stdout;
    expect(list).toMatch(/^checked +inactive +- +- +0 +- /m);
    expect(list).not.toMatch(/^checked .*passing/m);
    const status = (await cli("status", "checked")).stdout;
    expect(status).toMatch(/^health: +- \(last check before the process ended: passing, at \d{4}-\d{2}-\d{2}T[\d:.]+Z, \d+s ago\)$/m);

    const json = JSON.parse((await cli("status", "checked", "--json")).stdout);
    expect(json.health).toBeNull();
    expect(json.last_health).toMatchObject({ status: "passing", error: null });
    expect(Date.parse(json.last_health.checked_at)).toBeLessThanOrEqual(Date.now());
    const item = (JSON.parse((await cli("list", "--json")).stdout) as { name: string; health: unknown }[]).find((s) => s.name === "checked");
    expect(item?.health).toBeNull();

    // Running again: a fresh check is current, and the old one is gone.
    expect((await cli("start", "checked")).code).toBe(0);
    await waitFor("passing again", async () => (await server.rpc("service.status", { name: "checked" })).health?.status === "passing");
    const again = await server.rpc("service.status", { name: "checked" });
    expect(again.last_health).toBeNull();
  });
});

describe("upstream names", () => {
  test("ls is list, tree is graph (also with --json and --help)", async () => {
    const [ls, list] = await Promise.all([cli("ls"), cli("list")]);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split("\n")[0]).toBe(list.stdout.split("\n")[0]);
    expect(ls.stdout).toMatch(/^one +running/m);
    expect(JSON.parse((await cli("ls", "--json")).stdout).map((s: { name: string }) => s.name)).toEqual(["checked", "one", "three", "two"]);
    const [tree, graph] = await Promise.all([cli("tree"), cli("graph")]);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toBe(graph.stdout);
    expect(tree.stdout).toMatch(/^three \(running\)\n.*one \(running\)/m);
    expect((await cli("tree", "three")).stdout).toBe((await cli("graph", "three")).stdout);
    expect((await cli("ls", "--help")).stdout).toStartWith("usage: zinit list");
  });

  test("logs with several names: only theirs, -n counts the chosen lines; an unknown name is exit 3", async () => {
    const both = await cli("logs", "one", "two");
    expect(both.code).toBe(0);
    const lines = both.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" ")[1])).toEqual(expect.arrayContaining(["one", "two"]));
    expect(lines.every((l) => / (one|two) stdout\| /.test(l))).toBe(true);
    expect(lines.map((l) => l.replace(/^\S+ /, ""))).toEqual(expect.arrayContaining(["one stdout| one-a", "one stdout| one-b", "two stdout| two-a"]));
    const last = await cli("logs", "one", "two", "-n", "1");
    expect(last.stdout.trim().split("\n").length).toBe(1);
    const missing = await cli("logs", "one", "nope");
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('unknown service "nope"');
  });

  test("--since: a duration or a time; lines before it are left out", async () => {
    expect((await cli("logs", "one", "--since", "10m")).stdout).toContain("one-a");
    // Restart two: its new line is after the cut, its first run's line before it.
    const cut = new Date(Date.now() + 1).toISOString();
    await Bun.sleep(5);
    expect((await cli("restart", "two")).code).toBe(0);
    await waitFor("two's second line", async () => ((await server.rpc("service.logs", { name: "two" })) as unknown[]).length >= 2);
    const since = await cli("logs", "--since", cut);
    expect(since.code).toBe(0);
    expect(since.stdout.trim().split("\n")).toEqual([expect.stringMatching(/ two stdout\| two-a$/)]);
    expect((await cli("logs", "two", "--since", cut, "--json")).stdout.trim().split("\n").length).toBe(1);
    const bad = await cli("logs", "--since", "yesterday");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: expected a duration (10m, 1h30m) or a time');
  });

  test("logs -f with several names follows only those", async () => {
    const p = Bun.spawn([ZINIT, "--socket", server.socket, "logs", "-f", "one", "three", "-n", "0"], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "";
    void (async () => {
      const dec = new TextDecoder();
      for await (const c of p.stdout) out += dec.decode(c, { stream: true });
    })();
    try {
      // Restarting one restarts three (it requires one): both print again; two is restarted and must not show.
      await Bun.sleep(200);
      await cli("restart", "two");
      await cli("restart", "one");
      await waitFor("one and three again", () => out.includes("one-a") && out.includes("three-a"), 10_000);
      expect(out).not.toContain("two-a");
    } finally {
      p.kill("SIGTERM");
      await p.exited;
    }
  });
});
