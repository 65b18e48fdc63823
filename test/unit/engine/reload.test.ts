import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import type { LoadResult, Unit, UnreadableDir } from "../../../src/sdk/config/types.ts";
import { holdBackCycles, planReload } from "../../../src/server/engine/reload.ts";
import { prng, shuffle } from "../graph/nodes.ts";

const DIR = "/etc/zinit/services";

/** A unit from `DIR/name.toml` with the given dependencies and exec. */
function unit(name: string, deps: { requires?: string[]; after?: string[]; wants?: string[] } = {}, exec = "sleep 1000", dir = DIR): Unit {
  const lines = Object.entries(deps).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const text = `[service]\nexec = ${JSON.stringify(exec)}\n[dependencies]\n${lines.join("\n")}\n`;
  const result = parseUnit(text, `${dir}/${name}.toml`);
  if ("errors" in result) throw new Error(JSON.stringify(result.errors));
  return result.unit;
}

function loaded(units: Unit[], extra: Partial<LoadResult> = {}): LoadResult {
  return { units, errors: [], ...extra };
}

function unreadable(dir: string, code: string, reason: string): UnreadableDir {
  return { dir, code, issue: { file: dir, path: "", message: `cannot read directory: ${reason} (${code})` } };
}

const names = (units: readonly Unit[]) => units.map((u) => u.name).sort();

describe("planReload: directories that cannot be read", () => {
  // chmod 000 on the directory must not read as "every file deleted".
  test("an unreadable directory refuses the whole reload, naming the directory", () => {
    const current = [unit("web"), unit("db")];
    const dir = unreadable(DIR, "EACCES", "permission denied");
    const plan = planReload(current, loaded([unit("extra", {}, "sleep 1", "/etc/zinit/system")], { errors: [dir.issue], unreadableDirs: [dir] }));
    expect(plan.refused).toBe(true);
    expect(plan.errors).toEqual([`${DIR}: cannot read directory: permission denied (EACCES); nothing changed`]);
    expect(plan).toMatchObject({ added: [], removed: [], changed: [] });
    expect(names(plan.next)).toEqual(["db", "web"]);
  });

  // Renamed away while its services run: same as unreadable.
  test("a missing directory that gave units in force refuses the reload", () => {
    const dir = unreadable(DIR, "ENOENT", "no such file or directory");
    const plan = planReload([unit("web")], loaded([], { errors: [dir.issue], unreadableDirs: [dir] }));
    expect(plan.refused).toBe(true);
    expect(plan.removed).toEqual([]);
    expect(plan.errors).toEqual([`${DIR}: cannot read directory: no such file or directory (ENOENT); nothing changed`]);
  });

  // Replaced by a file: ENOTDIR, refused even with nothing loaded from it.
  test("a directory replaced by a file refuses the reload even when nothing came from it", () => {
    const dir = unreadable("/srv/other", "ENOTDIR", "not a directory");
    const plan = planReload([unit("web")], loaded([unit("web")], { errors: [dir.issue], unreadableDirs: [dir] }));
    expect(plan.refused).toBe(true);
  });

  // An optional system directory that does not exist must not block every reload.
  test("a missing directory that gave nothing is empty: the rest applies without an error", () => {
    const dir = unreadable("/etc/zinit/system", "ENOENT", "no such file or directory");
    const plan = planReload([unit("web")], loaded([unit("web"), unit("extra")], { errors: [dir.issue], unreadableDirs: [dir] }));
    expect(plan.refused).toBe(false);
    expect(plan.errors).toEqual([]);
    expect(names(plan.added)).toEqual(["extra"]);
    expect(plan.unchanged).toEqual(["web"]);
  });
});

describe("planReload: a reload that would close a dependency cycle", () => {
  // The issue's case: b now requires a (which requires b), and c is new and unrelated.
  test("the cycle-closing file keeps its previous definition; everything else applies", () => {
    const current = [unit("a", { requires: ["b"] }), unit("b")];
    const plan = planReload(current, loaded([unit("a", { requires: ["b"] }), unit("b", { requires: ["a"] }, "sleep 2"), unit("c")]));
    expect(plan.refused).toBe(false);
    expect(plan.errors).toEqual(["b.toml: would close a dependency cycle b -> a -> b; previous definition kept"]);
    expect(names(plan.added)).toEqual(["c"]);
    expect(plan.changed).toEqual([]);
    expect(plan.unchanged.sort()).toEqual(["a", "b"]);
    expect(plan.next.find((u) => u.name === "b")).toBe(current[1]!);
  });

  // a already names x, which did not exist; a new x requiring a closes the cycle.
  test("a new file that closes a cycle stays unloaded", () => {
    const current = [unit("a", { wants: ["x"] })];
    const plan = planReload(current, loaded([current[0]!, unit("x", { after: ["a"] }), unit("y")]));
    expect(plan.errors).toEqual(["x.toml: would close a dependency cycle x -> a -> x; not loaded"]);
    expect(names(plan.added)).toEqual(["y"]);
    expect(names(plan.next)).toEqual(["a", "y"]);
  });

  test("when both ends change at once, both keep their previous definitions", () => {
    const current = [unit("a"), unit("b")];
    const plan = planReload(current, loaded([unit("a", { requires: ["b"] }), unit("b", { after: ["a"] })]));
    expect(plan.errors).toEqual([
      "a.toml: would close a dependency cycle a -> b -> a; previous definition kept",
      "b.toml: would close a dependency cycle b -> a -> b; previous definition kept",
    ]);
    expect(plan.changed).toEqual([]);
  });

  // A cycle present at first load is the supervisor's to report (units failed);
  // a reload that leaves its edges alone does not hold anything back.
  test("a cycle already in force is not held against an unrelated change to its members", () => {
    const current = [unit("a", { requires: ["b"] }), unit("b", { requires: ["a"] })];
    const plan = planReload(current, loaded([unit("a", { requires: ["b"] }, "sleep 5"), unit("b", { requires: ["a"] })]));
    expect(plan.errors).toEqual([]);
    expect(plan.changed.map((c) => c.unit.name)).toEqual(["a"]);
  });

  // Growing an old cycle is a new cycle: the unit that joins it is held back.
  test("a unit joining a cycle already in force is held back", () => {
    const current = [unit("a", { requires: ["b"] }), unit("b", { requires: ["a"] }), unit("c")];
    const plan = planReload(current, loaded([current[0]!, unit("b", { requires: ["a", "c"] }), unit("c", { requires: ["b"] })]));
    expect(plan.errors).toEqual([
      "b.toml: would close a dependency cycle b -> c -> b; previous definition kept",
      "c.toml: would close a dependency cycle c -> b -> c; previous definition kept",
    ]);
  });

  // Putting a and b back brings b's old `requires c` next to c's new `requires b`:
  // a second round holds c back too.
  test("holding back repeats until no new cycle is left", () => {
    const current = [unit("a"), unit("b", { requires: ["c"] }), unit("c")];
    const proposed = [unit("a", { requires: ["b"] }), unit("b", { requires: ["a"] }), unit("c", { requires: ["b"] })];
    const { units, held } = holdBackCycles(current, proposed);
    expect(held.map((h) => [h.name, h.cycle.join(" -> ")])).toEqual([
      ["a", "a -> b -> a"],
      ["b", "b -> a -> b"],
      ["c", "c -> b -> c"],
    ]);
    expect(units.map((u) => u.config.dependencies.requires)).toEqual([[], ["c"], []]);
  });

  test("the outcome does not depend on the order the files were read in", () => {
    const current = [unit("a", { requires: ["b"] }), unit("b"), unit("c", { after: ["d"] }), unit("d")];
    const proposed = [
      unit("a", { requires: ["b"] }),
      unit("b", { requires: ["a"] }),
      unit("c", { after: ["d"] }),
      unit("d", { wants: ["c"] }),
      unit("e", { requires: ["f"] }),
      unit("f", { requires: ["e"] }),
      unit("g", { requires: ["a"] }),
    ];
    const reference = planReload(current, loaded(proposed));
    const random = prng(7);
    for (let i = 0; i < 20; i++) {
      const plan = planReload(shuffle(current, random), loaded(shuffle(proposed, random)));
      expect(plan.errors).toEqual(reference.errors);
      expect(names(plan.next)).toEqual(names(reference.next));
      expect(names(plan.added)).toEqual(names(reference.added));
    }
    expect(reference.errors).toEqual([
      "b.toml: would close a dependency cycle b -> a -> b; previous definition kept",
      "d.toml: would close a dependency cycle d -> c -> d; previous definition kept",
      "e.toml: would close a dependency cycle e -> f -> e; not loaded",
      "f.toml: would close a dependency cycle f -> e -> f; not loaded",
    ]);
    expect(names(reference.added)).toEqual(["g"]);
  });

  // Brute force over small random graphs: whatever is proposed, the result has no
  // cycle that was not in force, and a unit is held back only when it was changed.
  test("random reloads never end with a new cycle, and hold back only changed units", () => {
    const random = prng(2024);
    const pool = ["a", "b", "c", "d", "e", "f"];
    const pick = () => pool.filter(() => random() < 0.25);
    const randomUnits = () => pool.filter(() => random() < 0.8).map((n) => unit(n, { requires: pick().filter((x) => x !== n) }));
    for (let i = 0; i < 300; i++) {
      const current = randomUnits();
      const proposed = randomUnits();
      const { units, held } = holdBackCycles(current, proposed);
      const before = new Map(current.map((u) => [u.name, JSON.stringify(u)]));
      for (const h of held) expect(before.get(h.name)).not.toBe(JSON.stringify(proposed.find((u) => u.name === h.name)));
      const cyclicNow = cyclicEdges(units);
      const cyclicBefore = edges(current);
      for (const e of cyclicNow) expect(cyclicBefore.has(e)).toBe(true);
    }
  });
});

function edges(units: readonly Unit[]): Set<string> {
  const present = new Set(units.map((u) => u.name));
  const out = new Set<string>();
  for (const u of units) for (const d of u.config.dependencies.requires) if (present.has(d)) out.add(`${u.name}>${d}`);
  return out;
}

/** The edges that lie on a cycle: u>v such that v reaches u. */
function cyclicEdges(units: readonly Unit[]): string[] {
  const out = new Map(units.map((u) => [u.name, u.config.dependencies.requires.filter((d) => units.some((x) => x.name === d))]));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const v = stack.pop()!;
      if (v === to) return true;
      if (seen.has(v)) continue;
      seen.add(v);
      stack.push(...(out.get(v) ?? []));
    }
    return false;
  };
  const found: string[] = [];
  for (const [u, deps] of out) for (const v of deps) if (reaches(v, u)) found.push(`${u}>${v}`);
  return found;
}
