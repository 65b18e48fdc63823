/**
 * zinit against supervisord on the same machine, in the same run, and zinit's
 * health-probe cost and reload time. Writes bench/supervisor.md and
 * bench/health-reload.md. Run through `scripts/bench/run` (`npm run bench`),
 * which installs supervisor and hyperfine and builds dist/zinit first:
 *
 *   node_modules/.bin/bun scripts/bench/supervisor.ts [SECTION...] [--only a,b,...]
 *       [--idle-seconds 60] [--health-seconds 60] [--flood-lines 10000000]
 *       [--quick] [--out DIR]
 *
 * Sections, one file each under sections/, run in this order: start, layers,
 * shutdown, idle, flood, health. With none named, all run. `--quick` checks that
 * the named sections still work, in a minute or two (see options.ts).
 *
 * Every server runs in a temp dir with its own socket; nothing touches
 * /run/zinit.sock or /etc/zinit. This process makes itself child subreaper so
 * that whatever a server leaves behind is still one of its descendants, and
 * every section ends by checking that no descendant is left (killing any that
 * is, by pid, and saying so in the report).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setChildSubreaper } from "../../src/sys/libc.ts";
import { ROOT } from "../../test/helpers/paths.ts";
import { type Bench, killDescendants, log, newBench, type Section, sweep } from "./context.ts";
import { machineBlock, readMachine } from "./machine.ts";
import { parseInvocation, USAGE } from "./options.ts";
import { flood } from "./sections/flood.ts";
import { health } from "./sections/health.ts";
import { idle } from "./sections/idle.ts";
import { layers } from "./sections/layers.ts";
import { shutdown } from "./sections/shutdown.ts";
import { start } from "./sections/start.ts";
import { fmt } from "./stats.ts";
import { REL_ZINIT, ZINIT } from "./systems.ts";
import { now } from "./timing.ts";

const SECTIONS: Section[] = [start, layers, shutdown, idle, flood, health];

function supervisorReport(bench: Bench, machineText: string): string {
  const table = bench.rows
    .map((r) => {
      const ratio = r.zinit / r.sv;
      const d = r.digits ?? 1;
      return `| ${r.fig} | ${r.what} | ${fmt(r.zinit, d)} ${r.unit} | ${fmt(r.sv, d)} ${r.unit} | ${fmt(ratio, 2)} | ${r.better} |`;
    })
    .join("\n");
  const left = bench.leftovers.length ? bench.leftovers.map((l) => `- ${l}`).join("\n") : "- none: every section ended with no process of its own left";
  return `# zinit vs supervisord
${quickBanner(bench)}
Both measured in the same run of \`scripts/bench/supervisor.ts\`, one after the
other (never at the same time), on this machine:

${machineText}

Ratio = zinit / supervisord. "better" says which direction is better for that
figure (for lines/s a ratio above 1 favours zinit, for everything else below 1).
Figures marked \`+\` are extra measurements taken on the way.

| # | figure | zinit | supervisord | zinit/supervisord | better |
|---|---|---:|---:|---:|---|
${table}

Processes left after a section:
${left}
${bench.notes.length ? `\nNotes:\n${bench.notes.map((n) => `- ${n}`).join("\n")}\n` : ""}
${bench.sections.join("\n")}`;
}

function healthReport(bench: Bench, machineText: string): string {
  return `# zinit: health-probe cost and reload time
${quickBanner(bench)}
zinit only (supervisord has neither health checks nor dependency-aware
reload). Measured by \`scripts/bench/supervisor.ts\` on this machine:

${machineText}

| figure | value |
|---|---:|
${bench.healthRows.map(([a, b]) => `| ${a} | ${b} |`).join("\n")}

${bench.healthSections.join("\n")}`;
}

/** A quick run's reports say so at the top: their sizes are a tenth and their texts still name the full ones. */
function quickBanner(bench: Bench): string {
  return bench.opts.quick
    ? "\n**Quick run (`--quick`): a check that the benchmark works, not a measurement. Service counts are a tenth and waits and repetitions shorter than the text below says.**\n"
    : "";
}

async function main(): Promise<void> {
  const started = now();
  let inv: ReturnType<typeof parseInvocation>;
  try {
    inv = parseInvocation(process.argv.slice(2), join(ROOT, "bench"));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const known = `sections:\n${SECTIONS.map((s) => `  ${s.name.padEnd(9)} ${s.about}`).join("\n")}`;
  if (inv.help) {
    process.stdout.write(`${USAGE}\n${known}\n`);
    process.exit(0);
  }
  const unknown = (inv.only ?? []).filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: no section ${unknown.map((n) => JSON.stringify(n)).join(", ")}\n${USAGE}\n${known}\n`);
    process.exit(2);
  }
  const chosen = SECTIONS.filter((s) => inv.only === null || inv.only.includes(s.name));
  const base = mkdtempSync(join(tmpdir(), "zinit-bench-"));
  const bench = newBench(inv.options, base, readMachine(ZINIT));
  setChildSubreaper();
  const stop = (sig: string) => {
    killDescendants();
    rmSync(base, { recursive: true, force: true });
    process.stderr.write(`bench: interrupted by ${sig}; every process it started was killed\n`);
    process.exit(130);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const m = bench.machine;
  log(`machine: ${m.kernel}, ${m.cpu}, nproc ${m.nproc}, load ${m.loadStart}; temp dir ${base}${inv.options.quick ? "; quick run" : ""}`);
  try {
    for (const section of chosen) await section.run(bench);
  } finally {
    await sweep(bench, "end");
  }

  const args = process.argv.slice(2);
  const command = `\`npm run bench\` (= \`bash scripts/bench/run\`, which runs \`${relative(ROOT, import.meta.path)}\`${args.length ? ` with \`${args.join(" ")}\`` : ""})`;
  const machineText = machineBlock(m, REL_ZINIT, now() - started, command);
  const out = inv.out ?? mkdtempSync(join(tmpdir(), "zinit-bench-quick-"));
  mkdirSync(out, { recursive: true });
  if (bench.rows.length) {
    writeFileSync(join(out, "supervisor.md"), supervisorReport(bench, machineText));
    log(`wrote ${join(out, "supervisor.md")}`);
  }
  if (bench.healthSections.length) {
    writeFileSync(join(out, "health-reload.md"), healthReport(bench, machineText));
    log(`wrote ${join(out, "health-reload.md")}`);
  }
  rmSync(base, { recursive: true, force: true });
  process.exit(0);
}

await main();
