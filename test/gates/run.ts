/**
 * Runs a repository tool the way CI does and returns its exit status with all it
 * printed, so that a failing gate shows the tool's own report in the test output.
 */
import { ROOT } from "../helpers/paths.ts";

export interface ToolRun {
  exitCode: number;
  output: string;
}

export function runTool(argv: string[]): ToolRun {
  const proc = Bun.spawnSync(argv, {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  const output = `${proc.stdout.toString()}${proc.stderr.toString()}`.trim();
  return { exitCode: proc.exitCode ?? -1, output };
}

/** Fails with the tool's whole report when it did not exit 0. */
export function expectClean(run: ToolRun, what: string): void {
  if (run.exitCode !== 0) throw new Error(`${what} exited ${run.exitCode}:\n${run.output}`);
}
