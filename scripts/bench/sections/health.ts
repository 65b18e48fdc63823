/**
 * Section "health" (zinit only, bench/health-reload.md): the CPU cost of tcp
 * health probes of 1,000 services, then the time a reload takes with nothing
 * and with 10 files changed.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { cpuMs, statusKb } from "../../../test/helpers/proc.ts";
import { type Bench, log, type Section, sweep } from "../context.ts";
import { fmt, max, mb, median, min } from "../stats.ts";
import { showCmd, Sut, ZINIT, zinitToml } from "../systems.ts";
import { now, sleep } from "../timing.ts";
import { flat, SLEEP_ARG, sleepSvc } from "../workloads.ts";

async function run(bench: Bench): Promise<void> {
  const N = bench.opts.size(1000);
  let accepted = 0;
  const listener: Server = createServer((sock) => {
    accepted++;
    sock.on("error", () => {});
    sock.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const port = (listener.address() as { port: number }).port;
  const services = flat(N).map((s) => ({ ...s, health: { port } }));
  log(`zinit: ${N} services with tcp health on 127.0.0.1:${port}`);
  const sut = Sut.start(bench.base, "zinit", "health1000", services);
  const { ms: startMs } = await sut.waitRunning(N);
  log(`zinit: all ${N} healthy after ${fmt(startMs, 0)} ms`);
  await sleep(bench.opts.settleMs);
  const rss0 = statusKb(sut.pid, "VmRSS");
  const a0 = accepted;
  const c0 = cpuMs(sut.pid);
  const t0 = now();
  // VmRSS once a second (reading /proc costs the server nothing)
  const rssSamples: number[] = [];
  while (now() - t0 < bench.opts.healthSeconds * 1000 - 1) {
    await sleep(Math.min(1000, bench.opts.healthSeconds * 1000 - (now() - t0)));
    rssSamples.push(statusKb(sut.pid, "VmRSS"));
  }
  const cpu = cpuMs(sut.pid) - c0;
  const probes = accepted - a0;
  const wall = now() - t0;
  const rss1 = statusKb(sut.pid, "VmRSS");
  const running = await sut.countRunning();
  log(`zinit: ${fmt(cpu, 0)} ms CPU for ${probes} probes in ${fmt(wall / 1000, 1)} s`);

  // reload: a no-op reload, then three reloads with 10 changed files each
  await sut.subscribe();
  const conf = join(sut.dir, "conf");
  const reloadCmd = [ZINIT, "--socket", sut.sock, "reload"];
  const timeReload = () => {
    const t = now();
    const r = spawnSync(reloadCmd[0]!, reloadCmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    return { ms: now() - t, out: `${r.stdout}${r.stderr}`.trim(), code: r.status };
  };
  const noop: number[] = [];
  for (let i = 0; i < 3; i++) noop.push(timeReload().ms);
  const changed: { ms: number; settle: number; out: string; code: number | null }[] = [];
  for (let round = 0; round < 3; round++) {
    const names = Array.from({ length: 10 }, (_, k) => `s_${(round * 100 + k * 7) % N}`);
    for (const name of names) {
      const spec = { ...sleepSvc(name), exec: ["sleep", String(Number(SLEEP_ARG) + round + 1)], health: { port } };
      writeFileSync(join(conf, `${name}.toml`), zinitToml(spec));
    }
    const from = sut.eventCount;
    const t = now();
    const r = timeReload();
    // every changed service is running (healthy) again
    let last = 0;
    for (const name of names) last = Math.max(last, await sut.waitEvent((e) => e.name === name && e.to === "running", from, 30_000));
    changed.push({ ...r, settle: last - t });
    log(`zinit: reload with 10 changed: ${fmt(r.ms, 0)} ms, all 10 running again after ${fmt(last - t, 0)} ms`);
    await sleep(1500);
  }
  const stop = await sut.terminate();
  listener.close();
  await sweep(bench, "zinit health 1000");

  const perProbe = cpu / probes;
  // the same server with 1,000 services and no health checks (section "start"), if measured
  const netPerProbe = bench.zinitIdle1000 ? (cpu - (bench.zinitIdle1000.cpuMs * wall) / 1000 / bench.zinitIdle1000.seconds) / probes : NaN;
  const expected = (N * wall) / 1000;
  bench.healthSections.push(`## tcp health probes: 1,000 services probed every second

1,000 services (\`sleep ${SLEEP_ARG}\`), each with a tcp health check every
1000 ms against one listener on 127.0.0.1:${port}. The listener is a \`node:net\`
server inside the benchmark process (bun), which accepts and closes each
connection and counts them: the probe count below is what arrived, not what
was planned. Once all 1,000 were running (healthy, after ${fmt(startMs, 0)} ms) and
${bench.opts.settleMs / 1000} s had passed, utime+stime of the server (\`/proc/PID/stat\`, all threads) was
read before and after ${bench.opts.healthSeconds} s.

- \`${sut.command}\`

\`\`\`toml
${zinitToml({ ...sleepSvc("s_0"), health: { port } }).trim()}
\`\`\`

| | |
|---|---:|
| window (s) | ${fmt(wall / 1000, 1)} |
| probes accepted by the listener | ${probes} (${fmt((100 * probes) / expected, 1)} % of 1 per service per second) |
| server CPU in the window (ms) | ${fmt(cpu, 0)} |
| server CPU share of one core | ${fmt((100 * cpu) / wall, 1)} % |
| **CPU per probe** | **${fmt(perProbe * 1000, 1)} µs** |
| CPU per probe less the idle cost of 1,000 services without health checks (${bench.zinitIdle1000 ? `${fmt(bench.zinitIdle1000.cpuMs, 0)} ms per ${bench.zinitIdle1000.seconds} s, figure 2's window in \`bench/supervisor.md\`` : "not measured in this run"}) | ${fmt(netPerProbe * 1000, 1)} µs |
| services running at the end | ${running} of ${N} |
| server VmRSS at start / end of the window | ${mb(rss0)} / ${mb(rss1)} |
| server VmRSS min / max, sampled every second in the window | ${mb(min(rssSamples))} / ${mb(max(rssSamples))} |

Each probe leaves garbage that the collector takes back in batches, so VmRSS
rises by tens of MB and drops again (a sawtooth), which the min / max above
shows; a steady climb over the window would be a leak.


## reload: 1,000 services, 10 changed

On the same server, after the window: \`${showCmd(reloadCmd.join(" "))}\` timed as a
whole (CLI start, \`system.reload\`, answer, CLI exit). First 3 reloads with
nothing changed, then 3 rounds that each rewrite 10 files (their \`exec\` becomes
\`sleep ${Number(SLEEP_ARG) + 1}\`, then \`${Number(SLEEP_ARG) + 2}\`, then \`${Number(SLEEP_ARG) + 3}\`), so zinit restarts those 10. "running again"
is from the start of the CLI until an SDK \`events()\` subscriber has seen all 10 changed
services reach \`running\` again (which takes their first passing health probe).

| | ms |
|---|---:|
| reload, nothing changed (median of 3) | ${fmt(median(noop), 0)} (${noop.map((x) => fmt(x, 0)).join(", ")}) |
| reload, 10 changed (median of 3) | ${fmt(median(changed.map((c) => c.ms)), 0)} (${changed.map((c) => fmt(c.ms, 0)).join(", ")}) |
| reload until the 10 run again (median of 3) | ${fmt(median(changed.map((c) => c.settle)), 0)} (${changed.map((c) => fmt(c.settle, 0)).join(", ")}) |

Output of the last \`zinit reload\` (exit ${changed.at(-1)?.code}):

\`\`\`
${changed.at(-1)?.out}
\`\`\`

Shutdown of these 1,000 afterwards: ${fmt(stop.ms, 0)} ms (exit ${stop.code}).
`);
  bench.healthRows.push(
    ["CPU per tcp probe (1,000 services, 1 probe/s each)", `${fmt(perProbe * 1000, 1)} µs`],
    ["the same, less the idle cost of 1,000 services without health checks", `${fmt(netPerProbe * 1000, 1)} µs`],
    ["reload, 1,000 services, 10 changed, until the 10 run again (median)", `${fmt(median(changed.map((c) => c.settle)), 0)} ms`],
    [`server CPU share during ${bench.opts.healthSeconds} s of probing`, `${fmt((100 * cpu) / wall, 1)} % of one core`],
    ["reload, 1,000 services, 10 changed (CLI wall, median)", `${fmt(median(changed.map((c) => c.ms)), 0)} ms`],
    ["reload, nothing changed (CLI wall, median)", `${fmt(median(noop), 0)} ms`],
  );
}

export const health: Section = { name: "health", about: "zinit: CPU per tcp health probe of 1,000 services, reload time", run };
