/** The machine and the tools a benchmark ran with, read once at the start, for the report's header. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpuModel, loadAverage, memTotalKb } from "../../test/helpers/proc.ts";
import { fmt, mb } from "./stats.ts";

/** A command's stdout, trimmed; "n/a" when it fails or is missing. */
export function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "n/a";
  }
}

export interface Machine {
  date: string;
  kernel: string;
  cpu: string;
  nproc: string;
  memoryKb: number;
  loadStart: string;
  bun: string;
  zinit: string;
  supervisord: string;
  /** "n/a" when hyperfine is not installed */
  hyperfine: string;
}

export function readMachine(zinit: string): Machine {
  return {
    date: new Date().toISOString(),
    kernel: sh("uname", ["-r"]),
    cpu: cpuModel() ?? "n/a",
    nproc: sh("nproc", []),
    memoryKb: memTotalKb(),
    loadStart: loadAverage(),
    bun: Bun.version,
    zinit: sh(zinit, ["version"]),
    supervisord: sh("supervisord", ["--version"]),
    hyperfine: sh("hyperfine", ["--version"]),
  };
}

/** The interpreter supervisord runs on (its shebang), with its version. */
function supervisordPython(): string {
  try {
    const path = execFileSync("sh", ["-c", "command -v supervisord"]).toString().trim();
    const interp = readFileSync(path, "utf8").split("\n")[0]!.replace(/^#!\s*/, "").split(" ")[0]!;
    return `${interp} ${sh(interp, ["-c", "import sys; print(sys.version.split()[0])"])}`;
  } catch {
    return "python (version unknown)";
  }
}

/** The report's list of facts about the run; `command` says how it was started. */
export function machineBlock(m: Machine, relZinit: string, runMs: number, command: string): string {
  return `- date: ${m.date}
- kernel (\`uname -r\`): ${m.kernel}
- cpu: ${m.cpu}
- nproc: ${m.nproc}
- memory: ${mb(m.memoryKb)}
- load average at start: ${m.loadStart}; at the end: ${loadAverage()}
- ${m.zinit} (bun ${m.bun}); ${relZinit} built by \`scripts/build\` just before
- supervisord ${m.supervisord} (Debian package \`supervisor\`, on ${supervisordPython()})
- ${m.hyperfine !== "n/a" ? m.hyperfine : "hyperfine not installed"}
- whole run: ${fmt(runMs / 60000, 1)} min; command: ${command}`;
}
