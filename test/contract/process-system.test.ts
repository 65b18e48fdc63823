/** The ProcessSystem contract, run against the host's processes and the fake. */
import { parseUnit } from "../../src/sdk/config/parse.ts";
import type { ServiceConfig } from "../../src/sdk/config/types.ts";
import { hostProcesses } from "../../src/server/effects/processes.ts";
import { FakeProcesses } from "../helpers/fake-processes.ts";
import { processSystemContract } from "./process-system.case.ts";

function config(exec: string[]): ServiceConfig {
  const r = parseUnit(`[service]\nexec = ${JSON.stringify(exec)}\n`, "x.toml");
  if ("errors" in r || r.unit.kind !== "service") throw new Error("bad test config");
  return r.unit.config;
}

processSystemContract("host", hostProcesses, {
  sayTwoLines: config(["sh", "-c", "echo one; echo two; exec sleep 1000"]),
  exitThreeSoon: config(["sh", "-c", "sleep 0.02; exit 3"]),
  ignoresTerm: config(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"]),
  leavesAChild: config(["sh", "-c", "sleep 1000 & exit 0"]),
  missing: config(["/nonexistent/zinit-test-binary"]),
});

processSystemContract("fake", () => new FakeProcesses(), {
  sayTwoLines: config(["fake", "say:one", "say:two"]),
  exitThreeSoon: config(["fake", "exit:3@20"]),
  ignoresTerm: config(["fake", "say:ready", "trap:SIGTERM"]),
  leavesAChild: config(["fake", "child", "exit:0@0"]),
  missing: config(["/nonexistent/zinit-test-binary"]),
});
