/**
 * CI gate: the pure modules stay pure. They are the code the in-memory tests and
 * the SDK rely on running anywhere, with time passed in: src/sdk (but the socket
 * client, the two config modules that read the disk, and the two entry files
 * that re-export them) and src/server/engine.
 * A pure module imports only other pure modules and the pure libraries below,
 * never `bun`, `bun:*`, `node:*` or an effect module, and never reads the clock,
 * arms a timer or touches the process. Each violation is reported as file:line.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "../helpers/paths.ts";
import { blank, computedImports, importsOf, lineAt } from "./source-scan.ts";

const PURE_ROOTS = ["src/sdk", "src/server/engine"];
/** Modules under a pure root that are effects on purpose, and why. */
const EFFECT_MODULES: Record<string, string> = {
  "src/sdk/client.ts": "the socket client connects to the server",
  "src/sdk/config/load.ts": "reads the config directories from disk",
  "src/sdk/config/env-files.ts": "reads a service's env files at each start and for zinit check",
  "src/sdk/wire.ts": "the socket under the client: Bun's own, or node:net elsewhere",
  "src/sdk/index.ts": "the package entry: re-exports the client",
  "src/sdk/config/index.ts": "the config entry: re-exports the loader",
};
/** npm packages a pure module may use: they compute, they do no I/O. */
const PURE_PACKAGES = new Set(["valibot", "smol-toml"]);

const FORBIDDEN: { pattern: RegExp; what: string }[] = [
  { pattern: /(?<![\w$.])Date\s*\.\s*now\b/g, what: "reads the clock (Date.now): take `now` as an argument" },
  { pattern: /(?<![\w$.])new\s+Date\s*\(\s*\)/g, what: "reads the clock (new Date()): take `now` as an argument" },
  { pattern: /(?<![\w$.])performance\s*\.\s*now\b/g, what: "reads the clock (performance.now)" },
  { pattern: /(?<![\w$.])(?:setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|clearImmediate)\b/g, what: "arms or cancels a timer: return a command instead" },
  { pattern: /(?<![\w$.])Bun\b/g, what: "uses the Bun runtime (Bun.*)" },
  { pattern: /(?<![\w$.])process\s*(?:\?\.|\.|\[)/g, what: "touches the process (process.*): take what it needs as an argument" },
];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...walk(path));
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function isPure(file: string): boolean {
  return PURE_ROOTS.some((r) => file.startsWith(`${r}/`)) && !Object.hasOwn(EFFECT_MODULES, file);
}

/** Why importing `specifier` from `file` breaks the boundary, or undefined. */
function importProblem(file: string, specifier: string): string | undefined {
  if (specifier === "bun" || specifier.startsWith("bun:")) return `imports the Bun runtime ("${specifier}")`;
  if (specifier.startsWith("node:")) return `imports a Node built-in ("${specifier}")`;
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
    if (isPure(target)) return undefined;
    return `imports ${target}, which is not a pure module (pure: ${PURE_ROOTS.join(", ")}, minus ${Object.keys(EFFECT_MODULES).join(", ")})`;
  }
  const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
  if (PURE_PACKAGES.has(pkg)) return undefined;
  return `imports "${specifier}", which is not one of the pure packages (${[...PURE_PACKAGES].join(", ")})`;
}

/** Every violation in one file, as "file:line: problem". */
export function violationsOf(file: string, source: string): string[] {
  const scanned = blank(source);
  const out: [number, string][] = [];
  for (const { specifier, line } of importsOf(scanned)) {
    const problem = importProblem(file, specifier);
    if (problem) out.push([line, problem]);
  }
  for (const line of computedImports(scanned)) out.push([line, "imports a computed module name"]);
  for (const { pattern, what } of FORBIDDEN) {
    for (const m of scanned.bare.matchAll(pattern)) out.push([lineAt(scanned.bare, m.index), what]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([line, problem]) => `${file}:${line}: ${problem}`);
}

describe("import boundaries of the pure modules", () => {
  test("the pure set is not empty and the named effect modules exist", () => {
    const files = PURE_ROOTS.flatMap(walk);
    expect(files.filter(isPure).length).toBeGreaterThan(10);
    for (const f of Object.keys(EFFECT_MODULES)) expect(files).toContain(f);
  });

  test("no pure module imports an effect, Bun or Node, reads the clock, arms a timer or touches the process", () => {
    const violations = PURE_ROOTS.flatMap(walk)
      .filter(isPure)
      .flatMap((f) => violationsOf(f, readFileSync(join(ROOT, f), "utf8")));
    if (violations.length > 0) throw new Error(`${violations.length} boundary violation(s):\n${violations.join("\n")}`);
  });
});

describe("the boundary check itself", () => {
  const check = (source: string, file = "src/sdk/x.ts") => violationsOf(file, source).map((v) => v.replace(/^[^:]+:/, ""));

  test("catches each kind of violation with its line", () => {
    const source = [
      'import { readFileSync } from "node:fs";',
      'import { spawnService } from "../server/effects/process.ts";',
      'export { x } from "./client.ts";',
      "const t = Date.now();",
      "const d = new Date();",
      "setTimeout(() => {}, 5);",
      "const e = process.env.HOME;",
      "Bun.spawn(['x']);",
      'const m = await import("bun:ffi");',
      "const c = await import(name);",
      'import type { Consola } from "consola";',
    ].join("\n");
    const found = check(source);
    expect(found.map((v) => Number(v.split(":")[0]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test("ignores comments, strings and arguments, and allows pure imports", () => {
    const source = [
      "/** Larger delays make setTimeout fire at once; Date.now() is read by the caller. */",
      'import * as v from "valibot";',
      'import { parse } from "smol-toml";',
      'import type { Unit } from "./config/types.ts";',
      'import { transition } from "../server/engine/transition.ts";',
      "// process.env is read at the entry, never here",
      'const msg = "call setTimeout(fn) or process.exit() yourself";',
      "const at = new Date(now).toISOString();",
      "const re = /process\\.env|\"/g; const q = 'Bun.spawn';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, on purpose
      "const s = `${x} setInterval ${y}`;",
      "const o = { process: 1, setTimeoutMs: 2 }; rec.process.pid;",
    ].join("\n");
    expect(check(source, "src/sdk/y.ts")).toEqual([]);
  });

  test("the interpolations of a template literal are code", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, on purpose
    expect(check("const s = `at ${Date.now()}`;")).toHaveLength(1);
  });
});
