// CI gate: Biome's checks as configured in biome.jsonc (the linter's recommended
// rules; the formatter once it is switched on) find nothing, warnings included.
import { expect, test } from "bun:test";
import { expectClean, runTool } from "./run.ts";

test("biome ci reports no error and no warning", () => {
  const run = runTool(["node_modules/.bin/biome", "ci", "--error-on-warnings", "--colors=off", "."]);
  expectClean(run, "biome ci");
  expect(run.output).toMatch(/Checked \d+ files/);
}, 60_000);
