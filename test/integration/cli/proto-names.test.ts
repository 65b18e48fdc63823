/**
 * Service names that are also Object.prototype property names (`__proto__`,
 * `constructor`, `toString`, ...) are valid names: the compiled CLI must address
 * them with every verb, never read them as options, and the server must keep them
 * apart. `zinit check` must report such names used as keys or sections.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withServer, waitFor, type TestServer } from "../../helpers/server.ts";
import { run } from "./build.ts";

setDefaultTimeout(30_000);

const NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
const sleeper = (n: number, deps = "") => `[service]\nexec = ["sleep", "${100000 + n}"]\n${deps}`;

async function stateOf(s: TestServer, name: string): Promise<{ state: string; pid: number | null }> {
  return s.rpc("service.status", { name });
}

describe("services named like Object.prototype properties", () => {
  test("every verb addresses them; none is read as an option", async () => {
    const files: Record<string, string> = Object.fromEntries(NAMES.map((n, i) => [n, sleeper(i)]));
    // A dependency on such a name is an edge like any other.
    files.web = sleeper(9, `[dependencies]\nrequires = ["__proto__", "constructor"]\n`);
    await withServer(files, async (s) => {
      await waitFor("all running", async () => {
        const list = (await s.rpc("service.list")) as { state: string }[];
        return list.length === NAMES.length + 1 && list.every((x) => x.state === "running");
      });

      const status = await s.cli("status", ...NAMES);
      expect(status.code).toBe(0);
      for (const n of NAMES) expect(status.stdout).toContain(`name:       ${n}\n`);
      const json = JSON.parse((await s.cli("status", "__proto__", "--json")).stdout);
      expect(json.name).toBe("__proto__");
      expect(json.config.service.exec).toEqual(["sleep", "100000"]);

      const before = await stateOf(s, "constructor");
      const restart = await s.cli("restart", "constructor");
      expect(restart.code).toBe(0);
      const after = await stateOf(s, "constructor");
      expect(after.state).toBe("running");
      expect(after.pid).not.toBe(before.pid);

      expect((await s.cli("stop", "toString")).code).toBe(0);
      expect((await stateOf(s, "toString")).state).toBe("inactive");
      expect((await s.cli("start", "toString")).code).toBe(0);
      expect((await stateOf(s, "toString")).state).toBe("running");

      const kill = await s.cli("kill", "valueOf", "SIGSTOP");
      expect(kill.code).toBe(0);
      expect(kill.stdout.trim()).toBe("valueOf: sent SIGSTOP");
      await s.cli("kill", "valueOf", "SIGCONT");

      expect((await s.cli("logs", "hasOwnProperty")).code).toBe(0);
      expect((await s.cli("why", "__proto__")).code).toBe(0);
      const graph = await s.cli("graph", "web");
      expect(graph.code).toBe(0);
      expect(graph.stdout).toContain("__proto__");
      expect(graph.stdout).toContain("constructor");

      // A name the server does not know is "not found" (3), even one every object "has".
      const unknown = await s.cli("status", "isPrototypeOf");
      expect(unknown.code).toBe(3);
      expect(unknown.stderr).not.toContain("needs a value");

      expect((await s.cli("delete", "hasOwnProperty")).code).toBe(0);
      const gone = await s.cli("status", "hasOwnProperty");
      expect(gone.code).toBe(3);
      const created = await s.cli("create", "propertyIsEnumerable", "--exec", "sleep 100042");
      expect(created.code).toBe(0);
      expect(created.stdout.trim()).toBe("propertyIsEnumerable: created");
      await waitFor("the created one running", async () => (await stateOf(s, "propertyIsEnumerable")).state === "running");
    });
  });
});

describe("zinit check on prototype names as keys", () => {
  test("[constructor] with exec = 5 is an unknown section; __proto__ as a key is an unknown key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-proto-"));
    try {
      writeFileSync(join(dir, "web.toml"), '[constructor]\nexec = 5\n[service]\nexec = "/bin/true"\n');
      writeFileSync(join(dir, "db.toml"), '[service]\nexec = "/bin/true"\n__proto__ = { exec = "/bin/sh" }\n');
      const r = await run(["check", dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("web.toml: constructor: unknown section");
      expect(r.stdout).toContain("db.toml: service.__proto__: unknown key");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
