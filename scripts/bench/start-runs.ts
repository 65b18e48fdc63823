/**
 * Repeated starts of one workload on both systems, shared by the flat and the
 * layered start sections: the runs alternate (zinit, supervisord, zinit, ...) so
 * that a change of background load hits both.
 */
import { loadAverage } from "../../test/helpers/proc.ts";
import { type Bench, log, sweep } from "./context.ts";
import { fmt, median } from "./stats.ts";
import { KINDS, type Kind, type ServiceSpec, Sut } from "./systems.ts";
import { sleep } from "./timing.ts";

export interface StartRun {
  start: number;
  spawned: number;
  polls: number;
  stop: number;
  load: string;
}

/**
 * Starts `services` on a fresh server `bench.opts.reps` times per system;
 * `during` runs on the first repetition only, between "all running" and the SIGTERM.
 */
export async function startRuns(
  bench: Bench,
  label: string,
  services: ServiceSpec[],
  during: (kind: Kind, sut: Sut) => Promise<void>,
): Promise<Record<Kind, { runs: StartRun[]; cmd: string }>> {
  const res = { zinit: { runs: [] as StartRun[], cmd: "" }, supervisord: { runs: [] as StartRun[], cmd: "" } };
  for (let rep = 0; rep < bench.opts.reps; rep++) {
    for (const kind of KINDS) {
      const load = loadAverage();
      const sut = Sut.start(bench.base, kind, `${label}-${rep}`, services);
      const { ms, polls, spawned } = await sut.waitRunning(services.length);
      log(`${kind} ${label} #${rep + 1}: all ${services.length} spawned after ${fmt(spawned, 0)} ms, reported running after ${fmt(ms, 0)} ms`);
      if (rep === 0) await during(kind, sut);
      else await sleep(bench.opts.pauseMs);
      const stop = await sut.terminate();
      log(`${kind} ${label} #${rep + 1}: shutdown took ${fmt(stop.ms, 0)} ms (exit ${stop.code})`);
      res[kind].runs.push({ start: ms, spawned, polls, stop: stop.ms, load });
      res[kind].cmd = sut.command.replaceAll(`${label}-${rep}`, `${label}-N`);
      await sweep(bench, `${kind} ${label} #${rep + 1}`);
    }
  }
  return res;
}

type Key = "start" | "spawned" | "stop";
export const medianOf = (runs: StartRun[], key: Key): number => median(runs.map((r) => r[key]));
const listOf = (runs: StartRun[], key: Key) => runs.map((r) => fmt(r[key], 0)).join(", ");

export function startTable(z: StartRun[], s: StartRun[]): string {
  const line = (what: string, key: Key) => `| ${what} | **${fmt(medianOf(z, key), 0)}** (${listOf(z, key)}) | **${fmt(medianOf(s, key), 0)}** (${listOf(s, key)}) |`;
  return `| median (each run) | zinit | supervisord |
|---|---:|---:|
${line("all spawned (/proc) after (ms)", "spawned")}
${line("API reports all running after (ms)", "start")}
${line("shutdown, SIGTERM to exit (ms)", "stop")}
| API polls | ${z.map((r) => r.polls).join(", ")} | ${s.map((r) => r.polls).join(", ")} |
| load average before each run | ${z.map((r) => r.load.split(" ")[0]).join(", ")} | ${s.map((r) => r.load.split(" ")[0]).join(", ")} |`;
}
