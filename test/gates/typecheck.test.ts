// CI gate: the whole tree (src, test, scripts) typechecks under tsconfig.json's strict settings.
import { expect, test } from "bun:test";
import { expectClean, runTool } from "./run.ts";

test("tsc --noEmit -p . reports no error", () => {
  const run = runTool(["node_modules/.bin/tsc", "--noEmit", "-p", "."]);
  expectClean(run, "tsc --noEmit -p .");
  expect(run.output).toBe("");
}, 180_000);
