/**
 * Section "layers", figure 1b: 10 layers of 100 services, each requiring the one
 * below it (zinit), or ordered by priority (supervisord, which has no dependencies).
 */
import type { Bench, Section } from "../context.ts";
import { medianOf, startRuns, startTable } from "../start-runs.ts";
import { sleep } from "../timing.ts";
import { configBlock, layered } from "../workloads.ts";

async function run(bench: Bench): Promise<void> {
  const perLayer = bench.opts.size(100);
  const res = await startRuns(bench, "layers", layered(perLayer), () => sleep(bench.opts.pauseMs));
  const z = res.zinit.runs;
  const s = res.supervisord.runs;
  bench.rows.push({ fig: "1b", what: `start 10 layers × 100 until all running (median of ${bench.opts.reps})`, zinit: medianOf(z, "start"), sv: medianOf(s, "start"), unit: "ms", better: "lower", digits: 0 });
  bench.rows.push({ fig: "6+", what: `shut down 10 layers × 100, SIGTERM to exit (median of ${bench.opts.reps})`, zinit: medianOf(z, "stop"), sv: medianOf(s, "stop"), unit: "ms", better: "lower", digits: 0 });
  const ex = layered(perLayer)[perLayer + 5]!;
  bench.sections.push(`## 1b: 10 layers of 100

Services \`sL_i\` (layer L = 0..9, i = 0..99). In zinit each service of layer
L > 0 \`requires\` the service with the same index in layer L-1, so no service
starts before its requirement runs: 100 chains of depth 10. **supervisord has no
dependencies**: the layers get \`priority\` 10, 20, ..., 100, which only orders the
spawns (supervisord does not wait for a lower priority to be running before it
spawns the next); it is the closest thing it has. Same measurement as 1a,
${bench.opts.reps} runs alternating; shutdown after ${bench.opts.pauseMs / 1000} s idle.

- zinit: \`${res.zinit.cmd}\`
- supervisord: \`${res.supervisord.cmd}\`

${configBlock([
  { kind: "zinit", s: ex, file: `conf/${ex.name}.toml` },
  { kind: "supervisord", s: ex, file: "supervisord.conf" },
])}

${startTable(z, s)}

zinit stops in reverse dependency order (layer 9 first, each layer after its
dependents have exited); supervisord stops by descending priority.
`);
}


export const layers: Section = { name: "layers", about: "10 layers × 100 with dependencies: start and shutdown (1b)", run };
