/**
 * The CLI parses a command's arguments itself instead of through citty (whose
 * parser loads node:util, ~2 ms of start-up). For every verb and many argument
 * lists that validateArgs accepts, the result must be what citty's own parser
 * gives: every declared name and alias, and `_`.
 */
import { describe, expect, test } from "bun:test";
import { type ArgsDef, parseArgs as cittyParse } from "citty";
import { validateArgs } from "../../../src/cli/args.ts";
import { COMMANDS } from "../../../src/cli/registry.ts";
import { parseCommandArgs, runCommandDef } from "../../../src/cli/run-command.ts";

/** Token lists for `def`: each option alone and together, spelled every way, with positionals around. */
function samples(def: ArgsDef): string[][] {
  const out: string[][] = [[]];
  const pos = Object.entries(def).filter(([, a]) => a.type === "positional");
  const names = pos.length > 0 ? ["web", "db", "x-1"] : [];
  for (let k = 1; k <= names.length; k++) out.push(names.slice(0, k));
  const all: string[] = [];
  for (const [name, arg] of Object.entries(def)) {
    if (arg.type === "positional") continue;
    const alias = "alias" in arg && arg.alias !== undefined ? (Array.isArray(arg.alias) ? arg.alias : [arg.alias]) : [];
    const flags = [`--${name}`, ...alias.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
    for (const flag of flags) {
      if (arg.type === "boolean") {
        out.push([...names.slice(0, 1), flag]);
        out.push([flag, ...names]);
        out.push([...names, `--no-${name}`]);
      } else {
        out.push([...names.slice(0, 1), flag, "7"]);
        out.push([flag, "12", ...names]);
        if (flag.startsWith("--")) out.push([...names, `${flag}=3`]);
      }
    }
    all.push(...(arg.type === "boolean" ? [`--${name}`] : [`--${name}`, "5"]));
  }
  out.push([...all, ...names]);
  out.push([...names.slice(0, 1), "--", "--json", "-n"]);
  return out;
}

describe("parseCommandArgs gives what citty's parser gives", () => {
  for (const entry of COMMANDS) {
    test(entry.name, async () => {
      const def = (await entry.load()).default;
      const argsDef: ArgsDef = (typeof def.args === "function" ? await def.args() : await def.args) ?? {};
      let compared = 0;
      for (const tokens of samples(argsDef)) {
        try {
          validateArgs(tokens, argsDef, { command: entry.name, variadic: entry.variadic });
        } catch {
          continue; // not a call the CLI would make
        }
        const theirs = cittyParse(tokens, argsDef) as Record<string, unknown>;
        const ours = parseCommandArgs(tokens, argsDef);
        for (const [name, arg] of Object.entries(argsDef)) {
          const alias = "alias" in arg && arg.alias !== undefined ? (Array.isArray(arg.alias) ? arg.alias : [arg.alias]) : [];
          for (const key of [name, ...alias]) expect({ tokens, key, value: ours[key] }).toEqual({ tokens, key, value: theirs[key] });
        }
        expect(ours._).toEqual(theirs._ as string[]);
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});

test("runCommandDef runs setup, run and cleanup in order and returns run's result", async () => {
  const seen: string[] = [];
  const result = await runCommandDef(
    {
      args: { name: { type: "positional" }, force: { type: "boolean" } },
      setup: () => void seen.push("setup"),
      run: (c) => (seen.push(`run ${String(c.args.name)} ${String(c.args.force)} ${String(c.data)}`), 3),
      cleanup: () => void seen.push("cleanup"),
    },
    { name: { type: "positional" }, force: { type: "boolean" } },
    ["web", "--force"],
    "ctx",
  );
  expect(result).toBe(3);
  expect(seen).toEqual(["setup", "run web true ctx", "cleanup"]);
});
