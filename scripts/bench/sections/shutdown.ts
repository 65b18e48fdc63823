/** Section "shutdown", figure 6: SIGTERM to the server until it has exited, with 500 services running. */
import { cmdline, liveDescendants } from "../../../test/helpers/proc.ts";
import { type Bench, log, type Section, sweep } from "../context.ts";
import { fmt } from "../stats.ts";
import { KINDS, type Kind, Sut } from "../systems.ts";
import { sleep } from "../timing.ts";
import { flat, SLEEP_ARG } from "../workloads.ts";

async function run(bench: Bench): Promise<void> {
  const N = bench.opts.size(500);
  const res: Record<Kind, { stop: number; code: number | null; start: number; cmd: string; left: number }> = {} as never;
  for (const kind of KINDS) {
    log(`${kind}: shutdown of ${N}`);
    const sut = Sut.start(bench.base, kind, "shutdown500", flat(N));
    const { ms } = await sut.waitRunning(N);
    await sleep(bench.opts.pauseMs);
    const stop = await sut.terminate();
    const left = liveDescendants(process.pid).filter((p) => cmdline(p.pid).includes(SLEEP_ARG)).length;
    log(`${kind}: shutdown of ${N} took ${fmt(stop.ms, 0)} ms (exit ${stop.code}, ${left} left)`);
    res[kind] = { stop: stop.ms, code: stop.code, start: ms, cmd: sut.command, left };
    await sweep(bench, `${kind} shutdown 500`);
  }
  const z = res.zinit;
  const s = res.supervisord;
  bench.rows.push({ fig: "6", what: "shut down 500 services, SIGTERM to server exit", zinit: z.stop, sv: s.stop, unit: "ms", better: "lower", digits: 0 });
  bench.sections.push(`## 6: shutdown of 500 services

500 flat \`sleep\` services; once all run and ${bench.opts.pauseMs / 1000} s have passed, SIGTERM to the
server; the time until the server process has exited (its exit status: zinit
${z.code}, supervisord ${s.code}; \`sleep\` processes still alive right after: zinit ${z.left},
supervisord ${s.left}). Both send SIGTERM to each service (zinit to its process
group), which \`sleep\` dies of at once.

- zinit: \`${z.cmd}\` then \`kill -TERM PID\`
- supervisord: \`${s.cmd}\` then \`kill -TERM PID\`

| | zinit | supervisord |
|---|---:|---:|
| all 500 running after (ms) | ${fmt(z.start, 0)} | ${fmt(s.start, 0)} |
| SIGTERM to exit (ms) | ${fmt(z.stop, 0)} | ${fmt(s.stop, 0)} |
`);
}


export const shutdown: Section = { name: "shutdown", about: "500 services: SIGTERM to server exit (6)", run };
