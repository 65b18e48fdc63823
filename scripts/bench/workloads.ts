/** The services the benchmark runs, and how a report shows their configuration. */
import { type Kind, type ServiceSpec, svProgram, zinitToml } from "./systems.ts";

/** a year and a second: marks the benchmark's sleeps in `ps` (scripts/bench/run looks for it) */
export const SLEEP_ARG = "31536001";

export const sleepSvc = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({ name, exec: ["sleep", SLEEP_ARG], ...extra });

/** `n` independent services s_0 .. s_(n-1). */
export const flat = (n: number): ServiceSpec[] => Array.from({ length: n }, (_, i) => sleepSvc(`s_${i}`));

/** 10 layers sL_i of `perLayer`: each service of layer L > 0 requires the one with the same index in layer L-1. */
export function layered(perLayer = 100): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  for (let l = 0; l < 10; l++)
    for (let i = 0; i < perLayer; i++) out.push(sleepSvc(`s${l}_${i}`, { requires: l > 0 ? [`s${l - 1}_${i}`] : [], priority: 10 * (l + 1) }));
  return out;
}

function sampleConfig(kind: Kind, s: ServiceSpec): string {
  return kind === "zinit" ? zinitToml(s) : svProgram(s);
}

/** Each spec's configuration as a fenced block, under the file it goes in. */
export function configBlock(specs: { kind: Kind; s: ServiceSpec; file: string }[]): string {
  return specs
    .map(({ kind, s, file }) => `${kind} (\`${file}\`):\n\n\`\`\`${kind === "zinit" ? "toml" : "ini"}\n${sampleConfig(kind, s).trim()}\n\`\`\``)
    .join("\n\n");
}
