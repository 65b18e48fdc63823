/**
 * Section "start", figures 1a, 2 and 4 (and the shutdown of 1,000 as an extra):
 * 1,000 flat services started on each server, its RSS and CPU after an idle
 * while, and the CLI's wall time asking it for one service and for all.
 */
import { join } from "node:path";
import { cpuMs, statusKb, threadCount } from "../../../test/helpers/proc.ts";
import { type Bench, log, type Section } from "../context.ts";
import { startRuns, medianOf, startTable } from "../start-runs.ts";
import { fmt, mb } from "../stats.ts";
import { type Kind, POLL_GAP_MS, showCmd, ZINIT } from "../systems.ts";
import { type CmdTiming, sleep, timeCommands } from "../timing.ts";
import { configBlock, flat, SLEEP_ARG, sleepSvc } from "../workloads.ts";

async function run(bench: Bench): Promise<void> {
  const N = bench.opts.size(1000);
  const idleS = bench.opts.startIdleMs / 1000;
  const cli = { runs: bench.opts.cliRuns, warmup: bench.opts.cliWarmup, tmpDir: bench.base, hyperfine: bench.machine.hyperfine !== "n/a" };
  const idle: Record<Kind, { rss: number; cpu10: number; thr: number; t: CmdTiming[] }> = {} as never;
  const res = await startRuns(bench, "flat1000", flat(N), async (kind, sut) => {
    const c0 = cpuMs(sut.pid);
    await sleep(bench.opts.startIdleMs);
    const rss = statusKb(sut.pid, "VmRSS");
    const cpu10 = cpuMs(sut.pid) - c0;
    if (kind === "zinit") bench.zinitIdle1000 = { cpuMs: cpu10, seconds: idleS };
    const thr = threadCount(sut.pid);
    const cmds =
      kind === "zinit"
        ? [
            [ZINIT, "--socket", sut.sock, "status", `s_${N / 2}`],
            [ZINIT, "--socket", sut.sock, "list"],
          ]
        : [
            ["supervisorctl", "-c", join(sut.dir, "supervisord.conf"), "status", `s_${N / 2}`],
            ["supervisorctl", "-c", join(sut.dir, "supervisord.conf"), "status"],
          ];
    const t = timeCommands(cmds, cli);
    log(`${kind}: VmRSS ${mb(rss)} after ${idleS} s idle; CLI medians ${t.map((x) => fmt(x.median)).join(" / ")} ms`);
    idle[kind] = { rss, cpu10, thr, t };
  });
  const z = res.zinit.runs;
  const s = res.supervisord.runs;
  const zi = idle.zinit;
  const si = idle.supervisord;
  bench.rows.push({ fig: "1a", what: `start 1,000 services (flat) until all running (median of ${bench.opts.reps})`, zinit: medianOf(z, "start"), sv: medianOf(s, "start"), unit: "ms", better: "lower", digits: 0 });
  bench.rows.push({ fig: "2", what: `RSS of the server, 1,000 services, after ${idleS} s idle`, zinit: zi.rss / 1024, sv: si.rss / 1024, unit: "MB", better: "lower" });
  bench.rows.push({ fig: "4a", what: `\`status NAME\` wall time, 1,000 services (median of ${cli.runs})`, zinit: zi.t[0]!.median, sv: si.t[0]!.median, unit: "ms", better: "lower" });
  bench.rows.push({ fig: "4b", what: `\`list\` / \`status\` wall time, 1,000 services (median of ${cli.runs})`, zinit: zi.t[1]!.median, sv: si.t[1]!.median, unit: "ms", better: "lower" });
  bench.rows.push({ fig: "6+", what: `shut down 1,000 services (flat), SIGTERM to exit (median of ${bench.opts.reps})`, zinit: medianOf(z, "stop"), sv: medianOf(s, "stop"), unit: "ms", better: "lower", digits: 0 });
  const timingTable = (t: CmdTiming[]) =>
    t.map((x) => `| \`${showCmd(x.command)}\` | ${x.runs} | ${fmt(x.min)} | ${fmt(x.median)} | ${fmt(x.mean)} | ${fmt(x.max)} |`).join("\n");
  bench.sections.push(`## 1a, 2, 4: 1,000 flat services

Each server is started with 1,000 services that are all \`sleep ${SLEEP_ARG}\`; the
clock starts just before the server is spawned and stops when the server's own
API first reports all 1,000 running. So as not to slow the servers down while
they start, the benchmark first waits, asking them nothing, until 1,000 live
\`sleep\` children of the server show in /proc (checked every ${POLL_GAP_MS} ms; "all
spawned" below), and only then polls the API: zinit \`service.list\` through the
SDK (\`ZinitClient.list()\`), supervisord \`supervisor.getAllProcessInfo\` over
XML-RPC on its unix socket (what \`supervisorctl status\` calls), ${POLL_GAP_MS} ms
between the end of one poll and the next. The figure includes the last poll's
round trip: for supervisord one getAllProcessInfo of 1,000 programs takes over
half a second by itself (see the \`supervisorctl status\` times below).
${bench.opts.reps} runs, zinit and supervisord alternating. In the first run only: ${idleS} s
idle, then VmRSS from \`/proc/PID/status\` of the server process alone (not its
children), then the CLI timings; in every run then SIGTERM and the time until the
server process exits.

- zinit: \`${res.zinit.cmd}\`
- supervisord: \`${res.supervisord.cmd}\`

${configBlock([
  { kind: "zinit", s: sleepSvc("s_0"), file: "conf/s_0.toml, one per service" },
  { kind: "supervisord", s: sleepSvc("s_0"), file: "supervisord.conf, one section per service, after the [supervisord], [unix_http_server], [rpcinterface:supervisor] sections" },
])}

supervisord keeps its default \`stdout_logfile=AUTO\`: like zinit it captures each
program's stdout and stderr (into files under \`childlogdir\`; zinit into memory).

${startTable(z, s)}

First run, after all were running:

| | zinit | supervisord |
|---|---:|---:|
| VmRSS after ${idleS} s idle | ${mb(zi.rss)} | ${mb(si.rss)} |
| CPU used in those ${idleS} s idle (ms) | ${fmt(zi.cpu10, 0)} | ${fmt(si.cpu10, 0)} |
| threads | ${zi.thr} | ${si.thr} |

CLI wall times (${cli.hyperfine ? `${bench.machine.hyperfine}, \`hyperfine -N -i --warmup ${cli.warmup} --runs ${cli.runs}\`` : `a loop of ${cli.runs} runs after ${cli.warmup} warm-ups`}), ms:

| command | runs | min | median | mean | max |
|---|---:|---:|---:|---:|---:|
${timingTable(zi.t)}
${timingTable(si.t)}
`);
}


export const start: Section = { name: "start", about: "1,000 flat services: start, RSS and CPU idle, CLI wall times (1a, 2, 4)", run };
