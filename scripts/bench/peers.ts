/**
 * zinit side by side with dinit (built from source, see peers/dinit.ts) and
 * supervisord in one run, on the figures of "lightweight": CLI start-up, cold
 * start, respawn, ordered shutdown, memory, idle cost, log flood and load.
 * Writes bench/peers.md (the summary table goes into the README too).
 *
 *   node_modules/.bin/bun scripts/bench/peers.ts [SECTION...] [--quick] [--out DIR]
 *       [--runs 5] [--idle-settle 120] [--idle-seconds 60] [--flood-lines 3000000]
 *
 * Sections, in this order: startup, cold, respawn, shutdown, memory, idle, flood,
 * load. Needs root (perf's system-wide tracepoints), perf (linux-perf), hyperfine
 * and supervisor (Debian packages; scripts/bench/run installs them), and builds
 * dist/zinit first. `--quick` checks that the sections still run, in a few
 * minutes (a tenth of the sizes, short waits; the report goes to a temp dir).
 *
 * Every server runs in a temp dir with its own socket; nothing touches
 * /run/zinit.sock or /etc/zinit. This process is a child subreaper so anything a
 * server leaves behind stays its descendant: it is killed by pid at the end.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setChildSubreaper } from "../../src/sys/libc.ts";
import { ROOT, ZINIT } from "../../test/helpers/paths.ts";
import { cmdline, liveDescendants, loadAverage } from "../../test/helpers/proc.ts";
import { machineBlock, readMachine } from "./machine.ts";
import { ensureDinit } from "./peers/dinit.ts";
import { log, type PeerBench, type PeerOptions, type PeerSection, type Row } from "./peers/context.ts";
import { startup } from "./peers/startup.ts";
import { steady } from "./peers/steady.ts";
import { timed } from "./peers/timed.ts";
import { fmt } from "./stats.ts";

const SECTIONS: PeerSection[] = [startup, ...timed, ...steady];

const { values: v, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    runs: { type: "string" },
    "idle-settle": { type: "string" },
    "idle-seconds": { type: "string" },
    "flood-lines": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (v.help) {
  process.stdout.write(`usage: bun scripts/bench/peers.ts [SECTION...] [--quick] [--out DIR] [--runs N]
       [--idle-settle S] [--idle-seconds S] [--flood-lines N]
sections:\n${SECTIONS.map((s) => `  ${s.name.padEnd(9)} ${s.about}`).join("\n")}\n`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !SECTIONS.some((s) => s.name === p));
if (unknown.length > 0) throw new Error(`unknown section(s): ${unknown.join(", ")}`);

const quick = v.quick === true;
const opts: PeerOptions = {
  quick,
  runs: Number(v.runs ?? (quick ? 1 : 5)),
  cliRuns: quick ? 10 : 40,
  idleSettle: Number(v["idle-settle"] ?? (quick ? 5 : 120)),
  idleSeconds: Number(v["idle-seconds"] ?? (quick ? 10 : 60)),
  floodLines: Number(v["flood-lines"] ?? (quick ? 300_000 : 3_000_000)),
  clients: quick ? 10 : 100,
  requests: quick ? 100 : 1000,
  size: (n) => (quick ? Math.max(2, Math.round(n / 10)) : n),
};
const out = v.out ?? (quick ? mkdtempSync(join(tmpdir(), "zinit-peers-report-")) : join(ROOT, "bench"));

setChildSubreaper();
const base = mkdtempSync(join(tmpdir(), "zinit-peers-"));
const dinit = ensureDinit(log);
if (typeof dinit === "string") log(dinit);
const bench: PeerBench = { opts, base, dinit: typeof dinit === "string" ? null : dinit, dinitSkip: typeof dinit === "string" ? dinit : null, rows: [], sections: [], programs: new Map() };
const machine = readMachine(ZINIT);
const t0 = performance.now();
const leftovers: string[] = [];
try {
  for (const s of SECTIONS) {
    if (positionals.length > 0 && !positionals.includes(s.name)) continue;
    log(`section ${s.name}: ${s.about}`);
    try {
      await s.run(bench);
    } catch (err) {
      log(`section ${s.name} failed: ${(err as Error).stack ?? String(err)}`);
      bench.sections.push(`## ${s.name}: failed\n\n\`\`\`\n${(err as Error).message}\n\`\`\`\n`);
    }
    const left = liveDescendants(process.pid);
    if (left.length > 0) {
      leftovers.push(`${s.name}: ${left.length} left, killed: ${left.slice(0, 5).map((p) => `${p.pid} ${cmdline(p.pid)}`).join("; ")}`);
      for (const p of left) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {}
      }
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

const ratio = (a: number, b: number) => {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "–";
  const r = a / b;
  return r !== 0 && Math.abs(r) < 0.01 ? r.toPrecision(1) : fmt(r, 2);
};
const cell = (x: number, r: Row) => (Number.isFinite(x) ? fmt(x, r.digits ?? 1) : "–");
const table = bench.rows
  .map(
    (r) =>
      `| ${r.what} | ${cell(r.zinit, r)} | ${cell(r.dinit, r)} | ${cell(r.supervisord, r)} | ${r.floor === undefined ? "–" : cell(r.floor, r)} | ${ratio(r.zinit, r.dinit)} | ${ratio(r.zinit, r.supervisord)} | ${r.goal} | ${r.met === null ? "–" : r.met ? "met" : "not met"} |`,
  )
  .join("\n");
const command = `node_modules/.bin/bun scripts/bench/peers.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const report = `# zinit, dinit and supervisord side by side
${quick ? "\n**A --quick run: sizes and waits cut down, to check that the benchmark works. Not a measurement.**\n" : ""}
All three measured in the same run of \`scripts/bench/peers.ts\`, one after the
other (the idle section runs them at once), on this machine:

${machineBlock(machine, "dist/zinit", performance.now() - t0, `\`${command}\``)}
- dinit: ${bench.dinit ? `${bench.dinit.version}, built from source by scripts/bench/peers/dinit.ts (g++ ${Bun.spawnSync(["g++", "-dumpversion"]).stdout.toString().trim()}, its default -Os)` : (bench.dinitSkip ?? "not run")}
- load average at the end: ${loadAverage()}

Ratios are zinit / peer. "floor" is the same work done by a bare Bun program
compiled like zinit (a hello world for the CLI rows): what any Bun supervisor pays
before its own work. Goals are those of the "lightweight" issue.

| figure | zinit | dinit | supervisord | floor | zinit/dinit | zinit/supervisord | goal | |
|---|---:|---:|---:|---:|---:|---:|---|---|
${table}

Processes left after a section: ${leftovers.length === 0 ? "none" : leftovers.join("; ")}

${bench.sections.join("\n")}`;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "peers.md"), report);
log(`wrote ${join(out, "peers.md")}`);
