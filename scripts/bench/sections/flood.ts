/**
 * Section "flood", figure 7: how fast each server captures the stdout of one
 * service writing as fast as it can, and what that costs it in CPU and memory.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cpuMs, statusKb } from "../../../test/helpers/proc.ts";
import { type Bench, log, type Section, sweep } from "../context.ts";
import { fmt, mb } from "../stats.ts";
import { KINDS, type Kind, type ServiceSpec, Sut, xmlrpc } from "../systems.ts";
import { now, sleep } from "../timing.ts";
import { configBlock } from "../workloads.ts";

async function run(bench: Bench): Promise<void> {
  const FLOOD_LINES = bench.opts.floodLines;
  const LINE = "some log line of about fifty bytes................"; // 50 chars + newline
  const res: Record<
    Kind,
    { ms: number; rate: number; rss0: number; rss1: number; rss5: number; hwm: number; cpu: number; check: string; cmd: string }
  > = {} as never;
  // the same pipeline without any supervisor, for scale
  const base = join(bench.base, "flood-base");
  mkdirSync(base, { recursive: true });
  const baseline = (target: string) => {
    const t0 = now();
    execFileSync("sh", ["-c", `yes '${LINE}' | head -n ${FLOOD_LINES} > ${target}`]);
    return now() - t0;
  };
  const devnull = baseline("/dev/null");
  const toFile = baseline(join(base, "out.log"));
  rmSync(join(base, "out.log"));
  for (const kind of KINDS) {
    const dir = join(bench.base, `${kind}-flood-stamps`);
    mkdirSync(dir, { recursive: true });
    const logfile = join(bench.base, `${kind}-flood`, "flood.log");
    const spec: ServiceSpec = {
      name: "flood",
      exec: ["sh", "-c", `date +%s%N > ${dir}/t0; yes '${LINE}' | head -n ${FLOOD_LINES}; date +%s%N > ${dir}/t1`],
      oneshot: true,
      autostart: false,
      logfile: kind === "supervisord" ? logfile : undefined,
    };
    log(`${kind}: flood of ${FLOOD_LINES} lines`);
    const sut = Sut.start(bench.base, kind, "flood", [spec]);
    // wait for the socket
    for (let i = 0; ; i++) {
      try {
        if (kind === "zinit") await (await sut.client()).info();
        else await xmlrpc(sut.sock, "supervisor.getState");
        break;
      } catch (err) {
        if (i > 200) throw err;
        await sleep(50);
      }
    }
    await sleep(bench.opts.pauseMs);
    const rss0 = statusKb(sut.pid, "VmRSS");
    const c0 = cpuMs(sut.pid);
    const tStart = now();
    await sut.startService("flood");
    let rssMax = rss0;
    // the shell creates t1 before `date` has written into it: wait for the whole line
    const done = () => existsSync(join(dir, "t1")) && readFileSync(join(dir, "t1"), "utf8").endsWith("\n");
    while (!done()) {
      rssMax = Math.max(rssMax, statusKb(sut.pid, "VmRSS"));
      if (now() - tStart > 300_000) throw new Error(`${kind}: flood did not end in 300 s`);
      await sleep(50);
    }
    const t0 = Number(readFileSync(join(dir, "t0"), "utf8").trim()) / 1e6;
    const t1 = Number(readFileSync(join(dir, "t1"), "utf8").trim()) / 1e6;
    // let the server drain what is left in the pipe
    await sleep(1000);
    const cpu = cpuMs(sut.pid) - c0;
    const rss1 = statusKb(sut.pid, "VmRSS");
    const hwm = Math.max(statusKb(sut.pid, "VmHWM"), rssMax);
    let check: string;
    if (kind === "zinit") {
      const lines: string[] = [];
      for await (const l of (await sut.client()).logs("flood", { lines: 1_000_000 })) lines.push(l.line);
      const ok = lines.length > 0 && lines.every((l) => l === LINE);
      check = `ring buffer holds ${lines.length} lines (buffer_lines default), all equal to the line written: ${ok}`;
    } else {
      const n = Number(execFileSync("wc", ["-l", logfile]).toString().trim().split(" ")[0]);
      check = `log file holds ${n} lines of ${FLOOD_LINES}`;
      rmSync(logfile);
    }
    await sleep(4000);
    const rss5 = statusKb(sut.pid, "VmRSS");
    await sut.terminate();
    const ms = t1 - t0;
    res[kind] = { ms, rate: FLOOD_LINES / (ms / 1000), rss0, rss1, rss5, hwm, cpu, check, cmd: sut.command };
    log(`${kind}: ${fmt(ms, 0)} ms, ${fmt(FLOOD_LINES / (ms / 1000), 0)} lines/s; ${check}`);
    await sweep(bench, `${kind} flood`);
  }
  const z = res.zinit;
  const s = res.supervisord;
  bench.rows.push({ fig: "7", what: `lines/s captured from one flooding service (${FLOOD_LINES} lines)`, zinit: z.rate, sv: s.rate, unit: "lines/s", better: "higher", digits: 0 });
  bench.rows.push({ fig: "7+", what: "server peak RSS during the flood", zinit: z.hwm / 1024, sv: s.hwm / 1024, unit: "MB", better: "lower" });
  bench.sections.push(`## 7: one service flooding stdout

A oneshot (zinit: \`oneshot = true\`, \`status = "stop"\`; supervisord:
\`autostart=false\`, \`autorestart=false\`) that writes ${FLOOD_LINES} lines of 51 bytes
(${fmt((FLOOD_LINES * 51) / 1e6, 0)} MB) to stdout, started through the API ${bench.opts.pauseMs / 1000} s after
the server came up. The time is taken by the service itself (\`date +%s%N\` before
and after \`yes | head\`): the writer can only finish when the supervisor has read
all but the last pipe buffer, so this is the capture rate. zinit keeps the lines
in its ring buffer (\`forward = false\`, \`buffer_lines\` default 1000); supervisord
writes them to its log file (\`stdout_logfile\`, no rotation).

- zinit: \`${z.cmd}\`
- supervisord: \`${s.cmd}\`

${configBlock([
  { kind: "zinit", s: { name: "flood", exec: ["sh", "-c", `date +%s%N > STAMPS/t0; yes '${LINE}' | head -n ${FLOOD_LINES}; date +%s%N > STAMPS/t1`], oneshot: true, autostart: false }, file: "conf/flood.toml" },
  { kind: "supervisord", s: { name: "flood", exec: ["sh", "-c", `date +%s%N > STAMPS/t0; yes '${LINE}' | head -n ${FLOOD_LINES}; date +%s%N > STAMPS/t1`], oneshot: true, autostart: false, logfile: "DIR/flood.log" }, file: "supervisord.conf" },
])}

| | zinit | supervisord |
|---|---:|---:|
| time to write all lines (ms) | ${fmt(z.ms, 0)} | ${fmt(s.ms, 0)} |
| lines/s | ${fmt(z.rate, 0)} | ${fmt(s.rate, 0)} |
| server CPU used (ms) | ${fmt(z.cpu, 0)} | ${fmt(s.cpu, 0)} |
| server CPU per line (µs) | ${fmt((z.cpu * 1000) / FLOOD_LINES, 2)} | ${fmt((s.cpu * 1000) / FLOOD_LINES, 2)} |
| server VmRSS before / 1 s after / 5 s after | ${mb(z.rss0)} / ${mb(z.rss1)} / ${mb(z.rss5)} | ${mb(s.rss0)} / ${mb(s.rss1)} / ${mb(s.rss5)} |
| server peak RSS (VmHWM, and sampled every 50 ms) | ${mb(z.hwm)} | ${mb(s.hwm)} |
| check | ${z.check} | ${s.check} |

Without a supervisor the same pipeline takes ${fmt(devnull, 0)} ms into /dev/null and
${fmt(toFile, 0)} ms into a file (${fmt(FLOOD_LINES / (devnull / 1000), 0)} and ${fmt(FLOOD_LINES / (toFile / 1000), 0)} lines/s).
`);
}


export const flood: Section = { name: "flood", about: "one service flooding stdout: lines/s captured, CPU and RSS (7)", run };
