import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDirectories, loadDirectory, MAX_FILE_BYTES } from "../../../src/sdk/config/load.ts";
import { formatIssue, unitClass } from "../../../src/sdk/config/types.ts";
import { ROOT } from "../../helpers/paths.ts";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "zinit-config-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh directory holding `files` (name → content). */
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "d-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const SERVICE = '[service]\nexec = "/bin/true"\n';

describe("loadDirectory", () => {
  test("reads only *.toml files not starting with '.', in name order", () => {
    const dir = dirWith({
      "web.toml": SERVICE,
      "db.toml": SERVICE,
      "Zed.toml": SERVICE,
      ".web.toml.swp": "garbage",
      ".hidden.toml": "garbage",
      "notes.txt": "garbage",
      "web.toml~": "garbage",
      "web.toml.bak": "garbage",
      "multi.toml": "[target]\n",
    });
    const result = loadDirectory(dir);
    expect(result.errors).toEqual([]);
    expect(result.units.map((u) => u.name)).toEqual(["Zed", "db", "multi", "web"]);
    expect(result.units.map((u) => u.file)).toEqual(["Zed", "db", "multi", "web"].map((n) => join(dir, `${n}.toml`)));
  });

  test("one bad file does not hide the others, and all its issues are kept", () => {
    const dir = dirWith({
      "a.toml": SERVICE,
      "b.toml": '[service]\nexec = ""\nstatus = "up"',
      "c.toml": "[service\n",
      "d.toml": SERVICE,
    });
    const result = loadDirectory(dir);
    expect(result.units.map((u) => u.name)).toEqual(["a", "d"]);
    expect(result.errors.map(formatIssue)).toEqual([
      "b.toml: service.exec: must not be empty",
      'b.toml: service.status: expected "start" | "stop" | "ignore", got "up"',
      "c.toml: TOML syntax error at line 1, column 9: illegal character in key",
    ]);
  });

  // Opening a FIFO for reading waits for a writer: the loader must never open one.
  test("only regular files are read: a FIFO, socket, device or directory is reported by kind and skipped", async () => {
    const dir = dirWith({ "a.toml": SERVICE, "real.toml": SERVICE });
    mkdirSync(join(dir, "sub.toml"));
    expect(Bun.spawnSync(["mkfifo", join(dir, "fifo.toml")]).exitCode).toBe(0);
    symlinkSync("/dev/null", join(dir, "null.toml"));
    symlinkSync(join(dir, "real.toml"), join(dir, "link.toml"));
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling.toml"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, "sock.toml"), resolve));
    // Should the loader block on the FIFO, this writer frees it after 2 s, so the
    // test fails on the elapsed time instead of hanging.
    const writer = Bun.spawn(["sh", "-c", `sleep 2; echo > ${join(dir, "fifo.toml")}`]);
    try {
      const started = performance.now();
      const result = loadDirectory(dir);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result.units.map((u) => u.name)).toEqual(["a", "link", "real"]);
      expect(result.errors.map(formatIssue)).toEqual([
        "dangling.toml: cannot read file: no such file or directory (ENOENT)",
        "fifo.toml: not a regular file (fifo); skipped",
        "null.toml: not a regular file (character device); skipped",
        "sock.toml: not a regular file (socket); skipped",
        "sub.toml: not a regular file (directory); skipped",
      ]);
    } finally {
      writer.kill("SIGKILL");
      server.close();
    }
  });

  test("a file too large to be a service file is skipped unread", () => {
    const dir = dirWith({ "a.toml": SERVICE, "huge.toml": `${SERVICE}# ${"x".repeat(MAX_FILE_BYTES)}\n` });
    const result = loadDirectory(dir);
    expect(result.units.map((u) => u.name)).toEqual(["a"]);
    expect(result.errors.map(formatIssue)).toEqual([
      `huge.toml: too large (${MAX_FILE_BYTES + SERVICE.length + 3} bytes, at most ${MAX_FILE_BYTES}); skipped`,
    ]);
  });

  test.skipIf(process.getuid?.() === 0)("a file without read permission is an issue", () => {
    const dir = dirWith({ "a.toml": SERVICE });
    chmodSync(join(dir, "a.toml"), 0o000);
    expect(loadDirectory(dir).errors.map(formatIssue)).toEqual(["a.toml: cannot read file: permission denied (EACCES)"]);
  });

  test("a missing directory is a single issue naming the directory, and listed as unreadable", () => {
    const dir = join(root, "absent");
    const issue = { file: dir, path: "", message: "cannot read directory: no such file or directory (ENOENT)" };
    expect(loadDirectory(dir)).toEqual({ units: [], errors: [issue], unreadableDirs: [{ dir, code: "ENOENT", issue }] });
  });

  test("a file where the directory should be is unreadable too (ENOTDIR)", () => {
    const file = join(root, "plain-file");
    writeFileSync(file, "");
    expect(loadDirectory(file).unreadableDirs?.map((d) => [d.code, formatIssue(d.issue)])).toEqual([
      ["ENOTDIR", `${file}: cannot read directory: not a directory (ENOTDIR)`],
    ]);
  });

  test("forceClass makes every service and target of the directory system", () => {
    const dir = dirWith({ "a.toml": `${SERVICE}class = "user"`, "b.toml": SERVICE, "t.toml": "[target]\n" });
    expect(loadDirectory(dir, { forceClass: "system" }).units.map(unitClass)).toEqual(["system", "system", "system"]);
    expect(loadDirectory(dir).units.map(unitClass)).toEqual(["user", "user", "user"]);
  });

  test("the examples directory loads without an issue", () => {
    const result = loadDirectory(join(ROOT, "examples"));
    expect(result.errors.map(formatIssue)).toEqual([]);
    expect(result.units.map((u) => `${u.kind}:${u.name}`)).toEqual([
      "service:app",
      "service:database",
      "service:metrics",
      "service:migrate",
      "target:multi-user",
      "service:worker",
    ]);
  });
});

describe("loadDirectories", () => {
  test("a name defined twice keeps the first definition and reports the second", () => {
    const system = dirWith({ "web.toml": SERVICE, "net.toml": SERVICE });
    const services = dirWith({ "web.toml": `${SERVICE}status = "stop"`, "app.toml": SERVICE });
    const result = loadDirectories([{ dir: system, forceClass: "system" }, { dir: services }]);
    expect(result.units.map((u) => `${u.name}:${unitClass(u)}`)).toEqual(["net:system", "web:system", "app:user"]);
    expect(result.units.find((u) => u.name === "web")?.file).toBe(join(system, "web.toml"));
    expect(result.errors).toEqual([
      { file: "web.toml", path: "", message: `duplicate name "web", also defined in ${join(system, "web.toml")}` },
    ]);
  });

  test("issues of every directory are collected, missing ones included", () => {
    const services = dirWith({ "bad.toml": "[service]\n", "ok.toml": SERVICE });
    const absent = join(root, "no-system");
    const result = loadDirectories([{ dir: absent, forceClass: "system" }, { dir: services }]);
    expect(result.units.map((u) => u.name)).toEqual(["ok"]);
    expect(result.errors.map(formatIssue)).toEqual([
      `${absent}: cannot read directory: no such file or directory (ENOENT)`,
      "bad.toml: service.exec: missing required key",
    ]);
    expect(result.unreadableDirs?.map((d) => d.dir)).toEqual([absent]);
  });
});
