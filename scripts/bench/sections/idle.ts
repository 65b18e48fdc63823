/**
 * Section "idle", figures 3 and 5: the CPU time a server uses while 100
 * services idle, then how long a SIGKILLed service takes to run again.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clockTicks, cpuMs, statusKb, threadCount } from "../../../test/helpers/proc.ts";
import { type Bench, log, type Section, sweep } from "../context.ts";
import { fmt, max, mb, median, min } from "../stats.ts";
import { KINDS, type Kind, Sut } from "../systems.ts";
import { now, realtimeMs, sleep } from "../timing.ts";
import { configBlock, flat, SLEEP_ARG, sleepSvc } from "../workloads.ts";

async function run(bench: Bench): Promise<void> {
  const N = bench.opts.size(100);
  const RESTARTS = bench.opts.restarts;
  const res: Record<
    Kind,
    { cpu: number; rssStart: number; rssEnd: number; lat: number[]; evLat: number[]; cmd: string; thr0: number; thr1: number }
  > = {} as never;
  for (const kind of KINDS) {
    const stampDir = join(bench.base, `${kind}-idle100-stamps`);
    mkdirSync(stampDir, { recursive: true });
    const services = flat(N).map((s, i) =>
      i < RESTARTS ? { ...s, exec: ["sh", "-c", `date +%s%N >> ${stampDir}/${s.name}; exec sleep ${SLEEP_ARG}`] } : s,
    );
    log(`${kind}: ${N} services, ${bench.opts.idleSeconds} s idle`);
    const sut = Sut.start(bench.base, kind, "idle100", services);
    await sut.waitRunning(N);
    await sleep(bench.opts.settleMs);
    const rssStart = statusKb(sut.pid, "VmRSS");
    const thr0 = threadCount(sut.pid);
    const c0 = cpuMs(sut.pid);
    await sleep(bench.opts.idleSeconds * 1000);
    const cpu = cpuMs(sut.pid) - c0;
    const rssEnd = statusKb(sut.pid, "VmRSS");
    const thr1 = threadCount(sut.pid);
    log(`${kind}: ${fmt(cpu, 0)} ms CPU in ${bench.opts.idleSeconds} s idle`);

    if (kind === "zinit") await sut.subscribe();
    const lat: number[] = [];
    const evLat: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const name = `s_${i}`;
      const stampFile = join(stampDir, name);
      const before = readFileSync(stampFile, "utf8").trim().split("\n").length;
      const pid = await sut.pidOf(name);
      if (pid === null) throw new Error(`${kind}: ${name} has no pid`);
      const evFrom = sut.eventCount;
      await sleep(200);
      const tKill = realtimeMs();
      const tKillMono = now();
      process.kill(pid, "SIGKILL");
      let stamps: string[] = [];
      for (;;) {
        stamps = readFileSync(stampFile, "utf8").trim().split("\n");
        if (stamps.length > before) break;
        if (now() - tKillMono > 10_000) throw new Error(`${kind}: ${name} not restarted within 10 s`);
        await sleep(1);
      }
      lat.push(Number(BigInt(stamps[before]!) / 1000n) / 1000 - tKill);
      if (kind === "zinit") evLat.push((await sut.waitEvent((e) => e.name === name && e.to === "running", evFrom)) - tKillMono);
      // the new process is really there under the server
      for (let k = 0; k < 100; k++) {
        const p = await sut.pidOf(name);
        if (p !== null && p !== pid) break;
        await sleep(10);
      }
    }
    log(`${kind}: restart latency median ${fmt(median(lat), 2)} ms`);
    await sut.terminate();
    res[kind] = { cpu, rssStart, rssEnd, lat, evLat, cmd: sut.command, thr0, thr1 };
    await sweep(bench, `${kind} idle 100`);
  }
  const z = res.zinit;
  const s = res.supervisord;
  bench.rows.push({ fig: "3", what: `CPU time used in ${bench.opts.idleSeconds} s idle, 100 services`, zinit: z.cpu, sv: s.cpu, unit: "ms", better: "lower", digits: 0 });
  bench.rows.push({ fig: "5", what: `SIGKILL of a service to its new process (median of ${RESTARTS})`, zinit: median(z.lat), sv: median(s.lat), unit: "ms", better: "lower", digits: 2 });
  const ex = { ...sleepSvc("s_0"), exec: ["sh", "-c", `date +%s%N >> STAMPS/s_0; exec sleep ${SLEEP_ARG}`] };
  bench.sections.push(`## 3 and 5: 100 services idle, then SIGKILL and restart

100 services; ${N - RESTARTS} are \`sleep ${SLEEP_ARG}\`, the ${RESTARTS} used for figure 5 are
\`sh -c 'date +%s%N >> STAMPS/NAME; exec sleep ${SLEEP_ARG}'\`. Once all run and
${bench.opts.settleMs / 1000} s have passed, utime+stime of the server (\`/proc/PID/stat\`, all
threads; resolution ${1000 / clockTicks()} ms) is read before and after ${bench.opts.idleSeconds} s of idling.

Figure 5: for each of s_0..s_${RESTARTS - 1} once (so no back-off count builds up): get its
pid through the API, wait 200 ms, read CLOCK_REALTIME, \`kill -9\` the pid; the
figure is the time until the new process wrote its \`date +%s%N\` stamp (same
clock), i.e. kill to the new process running its first command — the same
yardstick for both, and it includes the start of \`sh\` and \`date\` (a couple of
ms) for both. The new pid is then confirmed through the API. zinit has
\`restart_delay_ms = 0\`; supervisord \`autorestart=true\`, \`startsecs=0\`.

- zinit: \`${z.cmd}\`
- supervisord: \`${s.cmd}\`

${configBlock([
  { kind: "zinit", s: ex, file: "conf/s_0.toml" },
  { kind: "supervisord", s: ex, file: "supervisord.conf" },
])}

| | zinit | supervisord |
|---|---:|---:|
| CPU in ${bench.opts.idleSeconds} s idle (ms) | ${fmt(z.cpu, 0)} | ${fmt(s.cpu, 0)} |
| VmRSS at start / end of the idle window | ${mb(z.rssStart)} / ${mb(z.rssEnd)} | ${mb(s.rssStart)} / ${mb(s.rssEnd)} |
| threads at start / end of the idle window | ${z.thr0} / ${z.thr1} | ${s.thr0} / ${s.thr1} |
| kill to new process: median (ms) | ${fmt(median(z.lat), 2)} | ${fmt(median(s.lat), 2)} |
| min / max (ms) | ${fmt(min(z.lat), 2)} / ${fmt(max(z.lat), 2)} | ${fmt(min(s.lat), 2)} / ${fmt(max(s.lat), 2)} |

zinit only: kill to the \`running\` event arriving at an SDK \`events()\`
subscriber: median ${fmt(median(z.evLat), 2)} ms (min ${fmt(min(z.evLat), 2)}, max ${fmt(max(z.evLat), 2)}).

All ${RESTARTS} kill-to-new-process times, ms: zinit ${z.lat.map((x) => fmt(x, 1)).join(", ")};
supervisord ${s.lat.map((x) => fmt(x, 1)).join(", ")}.
`);
}


export const idle: Section = { name: "idle", about: "100 services: CPU while idle, SIGKILL to the new process (3, 5)", run };
