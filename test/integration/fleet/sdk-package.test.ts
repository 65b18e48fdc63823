/**
 * The SDK as a user installs it: `npm pack` of this project (which builds
 * dist/sdk first, through prepack), `npm install` of the tarball into an empty
 * project, then the client used from Node 20 (the built ESM through the "import"
 * condition) and from Bun (the TypeScript sources through the "bun" condition)
 * against a running server, and a TypeScript file checked by tsc against the
 * shipped .d.ts. The tarball holds no executable.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";
import { runCmd, startServer } from "./lib.ts";

const BUN = join(ROOT, "node_modules", ".bin", "bun");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");

// Plain JavaScript, so the very same file runs under Node and Bun.
const APP = `
import { ZinitClient, ZinitError, SERVICE_STATES, SplitError } from "zinit";
import { parseUnit, SplitError as ConfigSplitError } from "zinit/config";
const client = await ZinitClient.connect(process.argv[2]);
const list = await client.list();
let notFound = null;
try { await client.status("no-such-service"); } catch (e) { notFound = e instanceof ZinitError ? e.code : String(e); }
await client.close();
const parsed = parseUnit('[service]\\nexec = "sleep 1"\\n', "x.toml");
console.log(JSON.stringify({
  resolved: import.meta.resolve("zinit"),
  services: list.map((s) => [s.name, s.state]),
  notFound,
  states: SERVICE_STATES.length,
  parsed: "unit" in parsed ? parsed.unit.kind : "errors",
  oneErrorClass: SplitError === ConfigSplitError,
}));
`;

const TYPED = `
import { ZinitClient, type ServiceSummary, type ServiceState, type HealthReport } from "zinit";
import { parseUnit, type Unit } from "zinit/config";

export async function names(socket: string): Promise<string[]> {
  const client: ZinitClient = await ZinitClient.connect(socket);
  const list: ServiceSummary[] = await client.list();
  const state: ServiceState | undefined = list[0]?.state;
  const report: HealthReport = await client.call("system.health", { names: ["web"] });
  // @ts-expect-error the types are real: a name is a string, not a number
  const wrong: number = list[0]!.name;
  // @ts-expect-error and methods check their params
  await client.call("service.status", { nom: "web" });
  await client.close();
  void state, report, wrong;
  return list.map((s) => s.name);
}

export function kind(text: string): Unit["kind"] | null {
  const r = parseUnit(text, "web.toml");
  return "unit" in r ? r.unit.kind : null;
}
`;

describe("the SDK as an installed package", () => {
  test("npm pack + npm install in an empty project; used from Node 20 and Bun; types checked by tsc", async () => {
    const work = mkdtempSync(join(tmpdir(), "zinit-sdk-pkg-"));
    const s = await startServer({ web: '[service]\nexec = "sleep 1000"\n' });
    try {
      const pack = await runCmd(["npm", "pack", "--json", "--pack-destination", work], { timeoutMs: 120_000, env: { npm_config_update_notifier: "false" } });
      expect(pack.code).toBe(0);
      const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")))[0] as { filename: string; size: number; files: { path: string }[] };
      const paths = info.files.map((f) => f.path);
      expect(paths).toContain("dist/sdk/index.js");
      expect(paths).toContain("dist/sdk/index.d.ts");
      expect(paths).toContain("dist/sdk/config/index.js");
      expect(paths).toContain("src/sdk/index.ts");
      expect(paths.filter((p) => p.startsWith("dist/") && !p.startsWith("dist/sdk/"))).toEqual([]);
      expect(info.size).toBeLessThan(1024 * 1024);

      const app = join(work, "app");
      await Bun.write(join(app, "package.json"), JSON.stringify({ name: "uses-zinit", private: true, type: "module" }));
      const install = await runCmd(
        ["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", join(work, info.filename)],
        { timeoutMs: 120_000, env: { npm_config_update_notifier: "false" }, cwd: app },
      );
      expect(install.stderr).not.toContain("ERR");
      expect(install.code).toBe(0);
      expect(readdirSync(join(app, "node_modules"))).toContain("zinit");
      writeFileSync(join(app, "app.mjs"), APP);

      for (const [runtime, argv, entry] of [
        ["node", ["node", "app.mjs", s.socket], /\/node_modules\/zinit\/dist\/sdk\/index\.js$/],
        ["bun", [BUN, "app.mjs", s.socket], /\/node_modules\/zinit\/src\/sdk\/index\.ts$/],
      ] as const) {
        const r = await runCmd([...argv], { cwd: app });
        if (r.code !== 0) throw new Error(`${runtime} app.mjs exited ${r.code}:\n${r.stderr}`);
        const out = JSON.parse(r.stdout.trim());
        expect(out.resolved).toMatch(entry);
        expect(out.services).toEqual([["web", "running"]]);
        expect(out.notFound).toBe("not_found");
        expect(out.states).toBe(7);
        expect(out.parsed).toBe("service");
        expect(out.oneErrorClass).toBe(true);
      }
      const node = await runCmd(["node", "--version"]);
      expect(node.stdout).toMatch(/^v2\d\./);

      writeFileSync(join(app, "typed.ts"), TYPED);
      writeFileSync(
        join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: [] },
          files: ["typed.ts"],
        }),
      );
      const tsc = await runCmd([TSC, "-p", "."], { cwd: app });
      expect(tsc.stdout + tsc.stderr).toBe("");
      expect(tsc.code).toBe(0);
    } finally {
      await s.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
});
