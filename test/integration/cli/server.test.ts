/**
 * The compiled CLI against a real server on a temp socket: output shapes, waiting
 * until settled, and the exit statuses 0 / 1 / 3.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, type TestServer } from "../../helpers/server.ts";
import { buildOnce } from "./build.ts";

const FILES: Record<string, string> = {
  db: '[service]\nexec = "/bin/sleep 1000"\n',
  web: '[service]\nexec = "/bin/sleep 1000"\n\n[dependencies]\nrequires = ["db"]\n',
  job: '[service]\nexec = "sh -c \'echo working; echo trouble >&2; exit 3\'"\noneshot = true\nstatus = "stop"\n\n[lifecycle]\nrestart = "never"\n',
  hello: '[service]\nexec = "sh -c \'echo hello from hello\'"\noneshot = true\n',
  stuck: '[service]\nexec = "/bin/sleep 1000"\nstatus = "stop"\n\n[dependencies]\nrequires = ["ghost"]\n',
};

let server: TestServer;

beforeAll(async () => {
  await buildOnce();
  server = await startServer(FILES);
  // Wait until the initial start has settled.
  for (let i = 0; i < 200; i++) {
    const list = (await server.rpc("service.list")) as { name: string; state: string }[];
    const web = list.find((s) => s.name === "web");
    const hello = list.find((s) => s.name === "hello");
    if (web?.state === "running" && hello?.state === "exited") break;
    await Bun.sleep(25);
  }
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("queries", () => {
  test("list: an aligned table, plain when not a terminal", async () => {
    const r = await server.cli("list");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +STATE +PID +UPTIME +RESTARTS +HEALTH +MEM$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(["db", "hello", "job", "stuck", "web"]);
    const web = lines.find((l) => l.startsWith("web "))!;
    expect(web).toMatch(/^web +running +\d+ +\d+s +0 +- +[\d.]+ [KMG]iB$/);
    // Columns line up: STATE starts at the same offset on every line.
    const col = lines[0]!.indexOf("STATE");
    for (const l of lines.slice(1)) expect(l.slice(col)).toMatch(/^(running|exited|inactive|failed|blocked) /);
    expect(r.stdout).not.toContain("\u001b");
  });

  test("list --json is the service.list array", async () => {
    const r = await server.cli("list", "--json");
    const items = JSON.parse(r.stdout);
    expect(Array.isArray(items)).toBe(true);
    expect(items.find((s: { name: string }) => s.name === "web")).toMatchObject({ name: "web", kind: "service", state: "running" });
  });

  test("status: a key/value block; --json an object, or an array for several names", async () => {
    const r = await server.cli("status", "web");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: +web$/m);
    expect(r.stdout).toMatch(/^state: +running/m);
    expect(r.stdout).toMatch(/^requires: +db$/m);
    const one = JSON.parse((await server.cli("--json", "status", "web")).stdout);
    expect(one).toMatchObject({ name: "web", state: "running", dependencies: { requires: ["db"] } });
    const two = JSON.parse((await server.cli("status", "web", "db", "--json")).stdout);
    expect(two.map((s: { name: string }) => s.name)).toEqual(["web", "db"]);
  });

  test("an unknown service exits 3", async () => {
    const r = await server.cli("status", "nope");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("nope");
    expect((await server.cli("start", "nope")).code).toBe(3);
    expect((await server.cli("why", "nope")).code).toBe(3);
  });

  test("graph: a tree, and dot", async () => {
    const tree = await server.cli("graph");
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain("web (running)\n└── requires db (running)");
    expect(tree.stdout).toContain("requires ghost (unknown)");
    const dot = await server.cli("graph", "--dot");
    expect(dot.stdout).toStartWith('digraph "zinit" {');
    expect(dot.stdout).toContain('"web" -> "db" [label="requires", style=solid];');
  });

  test("logs: TIME NAME stream| text, and JSON lines", async () => {
    const r = await server.cli("logs", "hello");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+ hello stdout\| hello from hello$/m);
    const json = await server.cli("logs", "hello", "-n", "1", "--json");
    const lines = json.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ name: "hello", stream: "stdout", line: "hello from hello" });
  });
});

describe("start, stop, restart wait until settled", () => {
  test("stop then start then restart", async () => {
    const stop = await server.cli("stop", "web");
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^web: inactive/m);
    const start = await server.cli("start", "web");
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^web: running/m);
    const before = JSON.parse((await server.cli("status", "web", "--json")).stdout).pid;
    const restart = await server.cli("restart", "web");
    expect(restart.code).toBe(0);
    const after = JSON.parse((await server.cli("status", "web", "--json")).stdout);
    expect(after.state).toBe("running");
    expect(after.pid).not.toBe(before);
  });

  test("a oneshot that fails: exit 1 with its reason", async () => {
    const r = await server.cli("start", "job");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("zinit: job failed");
    expect(r.stderr).toContain("exit code 3");
    const json = JSON.parse((await server.cli("start", "job", "--json")).stdout);
    expect(json[0]).toMatchObject({ name: "job", state: "failed", ok: false });
  });

  test("stuck: exit 1 after --timeout, naming the state and the reason", async () => {
    const t0 = Date.now();
    const r = await server.cli("start", "stuck", "--timeout", "1");
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("zinit: stuck did not settle within 1s: still blocked");
    expect(r.stderr).toContain("ghost");
  });

  test("why names what a blocked service waits for", async () => {
    const r = await server.cli("why", "stuck");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^stuck is blocked/);
    expect(r.stdout).toContain("waiting for: ghost");
    const json = JSON.parse((await server.cli("why", "stuck", "--json")).stdout);
    expect(json).toMatchObject({ name: "stuck", state: "blocked", waiting_for: ["ghost"] });
    await server.cli("stop", "stuck");
  });

  test("--no-wait returns at once", async () => {
    const r = await server.cli("stop", "web", "--no-wait");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("web: stop requested\n");
    expect((await server.cli("start", "web")).code).toBe(0);
  });

  test("kill sends SIGTERM by default", async () => {
    const r = await server.cli("kill", "db", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: "db", signal: "SIGTERM" });
  });
});
