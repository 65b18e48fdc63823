/**
 * A property test of the config loader over generated service and target files
 * (a fixed seed, so every run checks the same few thousand files). Hostile files
 * mix known keys with prototype names, random names and odd values; valid files
 * use only known keys with good values. Whatever the file:
 * - parsing never throws, and gives the same answer twice;
 * - every unknown key and section is reported under its own name, and a file with
 *   one never loads;
 * - a valid file loads, with its name and the values written;
 * - a directory of them loads to the same units and issues whatever the order
 *   the files were written in.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDirectory } from "../../../src/sdk/config/load.ts";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { formatIssue } from "../../../src/sdk/config/types.ts";
import { prng, shuffle } from "../graph/nodes.ts";
import { PROTO_NAMES } from "./helpers.ts";

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const chance = (r: Random, p: number) => r() < p;

const KNOWN: Record<string, readonly string[]> = {
  service: ["name", "exec", "dir", "oneshot", "status", "class", "user", "group", "env"],
  dependencies: ["requires", "after", "wants", "conflicts"],
  lifecycle: ["restart", "stop_signal", "start_timeout_ms", "stop_timeout_ms", "restart_delay_ms", "restart_delay_max_ms", "max_restarts"],
  health: ["type", "target", "interval_ms", "timeout_ms", "retries"],
  logging: ["buffer_lines", "forward"],
  target: ["name", "status", "class"],
};
const SERVICE_SECTIONS = ["service", "dependencies", "lifecycle", "health", "logging"];
const TARGET_SECTIONS = ["target", "dependencies"];
const STEMS = ["web", "__proto__", "constructor", "toString", "db.main", "x@1", "_hidden-unit"];
const RANDOM_NAMES = ["", "a b", "name ", "ÿ", "é", "1", "-", "exec.x", 'qu"ote', "EXEC", "Service", "then", "length"];

/** TOML value literals of every kind: the odd values. */
const ODD_VALUES = [
  '""', '"x"', '"\\u0000"', '"/bin/true"', "'sleep 1'", `"${"a".repeat(300)}"`, '"\'unbalanced"',
  "0", "-1", "-0", "1", "3.5", "2147483648", "1e308", "inf", "-inf", "nan", "0x10",
  "true", "false", "[]", '[1, "a"]', "[[1]]", '["/bin/true", ""]', "{}", "{ __proto__ = 1 }",
  "{ constructor = { x = 1 } }", '{ A = "1" }', "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27",
];
/** Rare: TOML itself refuses an integer past 2^53, a whole-file issue. */
const TOML_REFUSES = "9007199254740993";

function keyText(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** The path text an issue shows for a key: quoted unless bare, as issues.ts does. */
const pathText = (...keys: string[]) => keys.map(keyText).join(".");

interface Case {
  text: string;
  stem: string;
  /** paths that must each be reported, with the message expected */
  unknown: Map<string, string>;
  /** exactly one of [service] / [target] */
  oneKind: boolean;
}

/** A file of known sections and keys with odd values, plus unknown keys and sections. */
function hostileCase(r: Random): Case {
  const stem = pick(r, STEMS);
  const kind = chance(r, 0.8) ? "service" : "target";
  const sections = (kind === "service" ? SERVICE_SECTIONS : TARGET_SECTIONS).filter((s) => s === kind || chance(r, 0.4));
  // Now and then both kinds or neither: one whole-file issue.
  const shape = r();
  if (shape < 0.05) sections.push(kind === "service" ? "target" : "service");
  else if (shape < 0.1) sections.splice(sections.indexOf(kind), 1);
  const known = new Set(kind === "service" ? SERVICE_SECTIONS : TARGET_SECTIONS);
  const unknown = new Map<string, string>();
  const topKeys = PROTO_NAMES.filter(() => chance(r, 0.05));
  const extraSections = [...PROTO_NAMES, ...RANDOM_NAMES, ...(kind === "target" ? ["lifecycle", "health"] : [])].filter(
    (n) => chance(r, 0.08) && !sections.includes(n) && !topKeys.includes(n),
  );
  const lines: string[] = [];
  // Top-level keys come first: TOML puts every later key under the last header.
  for (const key of topKeys) {
    const value = pick(r, ODD_VALUES);
    lines.push(`${keyText(key)} = ${value}`);
    // An inline table at the top level is a section written another way.
    unknown.set(pathText(key), kind === "target" ? TARGET_REST : value.startsWith("{") ? "unknown section" : "unknown key");
  }
  for (const section of [...sections, ...extraSections]) {
    lines.push(`[${keyText(section)}]`);
    const isKnown = known.has(section) || section === "service" || section === "target";
    if (!isKnown) {
      unknown.set(pathText(section), kind === "target" ? TARGET_REST : "unknown section");
      if (chance(r, 0.5)) lines.push(`x = ${pick(r, ODD_VALUES)}`);
      continue;
    }
    const keys = new Set<string>();
    for (const key of KNOWN[section]!) if (chance(r, 0.5)) keys.add(key);
    for (const key of [...PROTO_NAMES, ...RANDOM_NAMES]) if (chance(r, 0.06)) keys.add(key);
    for (const key of keys) {
      const odd = chance(r, 0.005) ? TOML_REFUSES : pick(r, ODD_VALUES);
      const value = section === "service" && key === "exec" && chance(r, 0.7) ? '"/bin/true"' : odd;
      lines.push(`${keyText(key)} = ${value}`);
      if (!KNOWN[section]!.includes(key) && known.has(section)) unknown.set(pathText(section, key), "unknown key");
    }
  }
  const oneKind = sections.includes("service") !== sections.includes("target");
  return { text: `${lines.join("\n")}\n`, stem, unknown, oneKind };
}
const TARGET_REST = "not allowed in a target file (only [target] and [dependencies])";

/** A file of known keys with good values only, and what the unit must hold. */
function validCase(r: Random): { text: string; stem: string; expect: Record<string, unknown> } {
  const stem = pick(r, STEMS);
  const others = ["db", "__proto__", "constructor", "net", "prototype"].filter((n) => n !== stem);
  const names = () => others.filter(() => chance(r, 0.3));
  const needed = names();
  const lines: string[] = [];
  const expectations: Record<string, unknown> = {};
  const kind = chance(r, 0.85) ? "service" : "target";
  lines.push(`[${kind}]`);
  if (chance(r, 0.3)) lines.push(`name = ${JSON.stringify(stem)}`);
  const status = pick(r, ["start", "stop", "ignore"]);
  if (chance(r, 0.5)) {
    lines.push(`status = "${status}"`);
    expectations.status = status;
  }
  if (kind === "service") {
    const exec = pick(r, [['"/bin/true"', ["/bin/true"]], ['["sleep", "1"]', ["sleep", "1"]], [`"/bin/echo 'a b' c"`, ["/bin/echo", "a b", "c"]]] as const);
    lines.push(`exec = ${exec[0]}`);
    expectations.exec = exec[1];
    if (chance(r, 0.3)) lines.push('dir = "/tmp"');
    const oneshot = chance(r, 0.3);
    if (oneshot) lines.push("oneshot = true");
    if (chance(r, 0.3)) lines.push(pick(r, ['user = "nobody"', "user = 65534", 'group = "nogroup"']));
    if (chance(r, 0.4)) {
      const keys = PROTO_NAMES.filter(() => chance(r, 0.3));
      const env = Object.fromEntries(keys.map((k) => [k, `v-${k}`]));
      lines.push(`env = { ${keys.map((k) => `${keyText(k)} = "v-${k}"`).join(", ")} }`);
      expectations.env = env;
    }
    if (chance(r, 0.5)) {
      lines.push("[lifecycle]");
      const delay = Math.floor(r() * 100);
      lines.push(`restart_delay_ms = ${delay}`, `restart_delay_max_ms = ${delay + Math.floor(r() * 1000)}`);
      lines.push(`restart = "${pick(r, ["always", "on-failure", "never"])}"`, `stop_signal = ${pick(r, ['"SIGTERM"', '"hup"', "9"])}`);
      lines.push(`stop_timeout_ms = ${Math.floor(r() * 5000)}`, `max_restarts = ${Math.floor(r() * 5)}`);
    }
    if (!oneshot && chance(r, 0.4)) {
      const [type, target] = pick(r, [["tcp", "127.0.0.1:80"], ["http", "http://localhost/h"], ["exec", "/bin/true"]] as const);
      lines.push("[health]", `type = "${type}"`, `target = "${target}"`, `retries = ${1 + Math.floor(r() * 5)}`);
    }
    if (chance(r, 0.3)) lines.push("[logging]", `buffer_lines = ${1 + Math.floor(r() * 100)}`, `forward = ${chance(r, 0.5)}`);
  }
  if (chance(r, 0.6)) {
    const conflicts = others.filter((n) => !needed.includes(n) && chance(r, 0.2));
    lines.push("[dependencies]", `requires = ${JSON.stringify(needed)}`, `after = ${JSON.stringify(names())}`, `conflicts = ${JSON.stringify(conflicts)}`);
    expectations.requires = needed;
  }
  return { text: `${lines.join("\n")}\n`, stem, expect: { kind, ...expectations } };
}

const CASES = 3000;

describe("config loader, property test (fixed seed)", () => {
  test(`${CASES} hostile files: never throws, every unknown key or section named, deterministic`, () => {
    const r = prng(0x5eed);
    let checkedUnknown = 0;
    let syntaxErrors = 0;
    for (let i = 0; i < CASES; i++) {
      const c = hostileCase(r);
      const file = `/etc/zinit/services/${c.stem}.toml`;
      const first = parseUnit(c.text, file);
      expect(JSON.stringify(parseUnit(c.text, file))).toBe(JSON.stringify(first));
      if (!c.oneKind) {
        expect("errors" in first).toBe(true);
        continue;
      }
      if (c.unknown.size === 0) continue;
      // An odd value TOML itself refuses (an integer past 2^53) makes one whole-file issue.
      if ("errors" in first && first.errors[0]!.message.startsWith("TOML syntax error")) {
        syntaxErrors++;
        continue;
      }
      if (!("errors" in first)) throw new Error(`case ${i} loaded despite unknown keys:\n${c.text}`);
      const reported = new Map(first.errors.map((e) => [e.path, e.message]));
      for (const [path, message] of c.unknown) {
        if (reported.get(path) !== message) {
          throw new Error(`case ${i}: ${path} not reported as ${JSON.stringify(message)}:\n${c.text}\ngot:\n${first.errors.map(formatIssue).join("\n")}`);
        }
        checkedUnknown++;
      }
      expect(first.errors.every((e) => e.file === `${c.stem}.toml`)).toBe(true);
    }
    // The generator must really exercise the property.
    expect(checkedUnknown).toBeGreaterThan(CASES);
    expect(syntaxErrors).toBeGreaterThan(0);
    expect(syntaxErrors).toBeLessThan(CASES / 10);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test(`${CASES} valid files load, with the values written`, () => {
    const r = prng(0xc0ffee);
    for (let i = 0; i < CASES; i++) {
      const c = validCase(r);
      const result = parseUnit(c.text, `/etc/zinit/services/${c.stem}.toml`);
      if ("errors" in result) throw new Error(`case ${i} failed:\n${c.text}\n${result.errors.map(formatIssue).join("\n")}`);
      const u = result.unit;
      expect(u.name).toBe(c.stem);
      expect(u.kind).toBe(c.expect.kind as "service" | "target");
      if (c.expect.requires) expect(u.config.dependencies.requires).toEqual(c.expect.requires as string[]);
      if (u.kind === "service") {
        expect(u.config.service.exec).toEqual(c.expect.exec as string[]);
        if (c.expect.env) {
          expect(Object.entries(u.config.service.env)).toEqual(Object.entries(c.expect.env as Record<string, string>));
        }
        if (c.expect.status) expect(u.config.service.status).toBe(c.expect.status as "start");
      } else if (c.expect.status) expect(u.config.target.status).toBe(c.expect.status as "start");
    }
  });

  const root = mkdtempSync(join(tmpdir(), "zinit-property-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("a directory of generated files loads the same whatever the order they were written in", () => {
    const r = prng(99);
    const files = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const c = chance(r, 0.5) ? hostileCase(r) : validCase(r);
      files.set(`${c.stem}-${i}.toml`, c.text);
    }
    const snapshots = [0, 1, 2].map((round) => {
      const dir = join(root, `round-${round}`);
      mkdirSync(dir);
      for (const [name, text] of shuffle([...files], prng(round))) writeFileSync(join(dir, name), text);
      const loaded = loadDirectory(dir);
      return JSON.stringify({ units: loaded.units.map((u) => ({ ...u, file: u.file.slice(dir.length) })), errors: loaded.errors });
    });
    expect(snapshots[1]).toBe(snapshots[0]!);
    expect(snapshots[2]).toBe(snapshots[0]!);
  });
});
