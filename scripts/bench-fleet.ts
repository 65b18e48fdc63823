/**
 * Benchmarks of running fleets, written to bench/fleet.md (never part of npm test):
 *   - GET /metrics with 1,000 running services: wall time per scrape and the
 *     server's CPU per scrape (utime + stime from /proc, over many scrapes)
 *   - the same scrape with every service stopped (no /proc figures to read)
 *   - --watch: a service file written into the watched directory -> that service
 *     running (from its `running` state event), and the same through a
 *     ConfigMap-style ..data swap
 *
 *   node_modules/.bin/bun scripts/bench-fleet.ts [--services N] [--scrapes N] [--watch-runs N]
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ZinitClient } from "../src/sdk/client.ts";
import { cpuModel, loadAverage } from "../test/helpers/proc.ts";

const ROOT = join(import.meta.dir, "..");
const ZINIT = join(ROOT, "dist", "zinit");
const { values } = parseArgs({
  options: { services: { type: "string", default: "1000" }, scrapes: { type: "string", default: "50" }, "watch-runs": { type: "string", default: "10" } },
});
const N = Number(values.services);
const SCRAPES = Number(values.scrapes);
const WATCH_RUNS = Number(values["watch-runs"]);
const started = Date.now();

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]); // utime + stime
}
const TICK_MS = 10; // CLK_TCK 100 on Linux
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await Bun.sleep(50);
  }
}

async function startServer(configDir: string, socket: string, args: string[]) {
  const proc = Bun.spawn([ZINIT, "server", "--config-dir", configDir, "--socket", socket, ...args], { stdout: "ignore", stderr: "ignore" });
  await until("server answers", async () => {
    try {
      const c = await ZinitClient.connect(socket);
      await c.close();
      return true;
    } catch {
      return false;
    }
  });
  return proc;
}

async function stopServer(proc: Bun.Subprocess): Promise<void> {
  proc.kill("SIGTERM");
  await Promise.race([proc.exited, Bun.sleep(30_000)]);
  if (proc.exitCode === null) proc.kill("SIGKILL");
}

async function scrapeBench(dir: string) {
  const configDir = join(dir, "scrape");
  mkdirSync(configDir);
  for (let i = 0; i < N; i++) writeFileSync(join(configDir, `s${String(i).padStart(4, "0")}.toml`), '[service]\nexec = "sleep 31536002"\n');
  const port = await freePort();
  const socket = join(dir, "scrape.sock");
  const proc = await startServer(configDir, socket, ["--metrics", `127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}/metrics`;
  const measure = async () => {
    const walls: number[] = [];
    let bytes = 0;
    await fetch(url).then((r) => r.text()); // warm
    await Bun.sleep(500);
    const cpu0 = cpuTicks(proc.pid);
    for (let i = 0; i < SCRAPES; i++) {
      const t0 = performance.now();
      bytes = (await (await fetch(url)).text()).length;
      walls.push(performance.now() - t0);
    }
    const cpuMs = (cpuTicks(proc.pid) - cpu0) * TICK_MS;
    return { walls, cpuPerScrapeMs: cpuMs / SCRAPES, bytes };
  };
  try {
    await until(`${N} running`, async () => ((await (await fetch(url)).text()).match(/^zinit_service_up\{.*\} 1$/gm)?.length ?? 0) === N, 120_000);
    const running = await measure();
    const c = await ZinitClient.connect(socket);
    await c.stopAll();
    await c.close();
    await until("all stopped", async () => ((await (await fetch(url)).text()).match(/state="inactive"\} 1$/gm)?.length ?? 0) === N, 120_000);
    const stopped = await measure();
    return { running, stopped };
  } finally {
    await stopServer(proc);
  }
}

/** ms from `act()` to the `running` event of `name`. */
async function timeToRunning(socket: string, name: string, act: () => void): Promise<number> {
  const c = await ZinitClient.connect(socket);
  const it = c.events();
  try {
    // Subscribed before the change is made: the first next() opens the stream.
    let next = it.next();
    await Bun.sleep(100);
    const t0 = performance.now();
    act();
    for (;;) {
      const { value, done } = await next;
      if (done) throw new Error("event stream ended");
      if (value.name === name && value.to === "running") return performance.now() - t0;
      next = it.next();
    }
  } finally {
    await it.return?.();
    await c.close();
  }
}

async function watchBench(dir: string) {
  const plain = join(dir, "watch");
  mkdirSync(plain);
  const socket = join(dir, "watch.sock");
  const proc = await startServer(plain, socket, ["--watch"]);
  const fileRuns: number[] = [];
  const swapRuns: number[] = [];
  try {
    for (let i = 0; i < WATCH_RUNS; i++) {
      const name = `w${i}`;
      fileRuns.push(await timeToRunning(socket, name, () => writeFileSync(join(plain, `${name}.toml`), '[service]\nexec = "sleep 31536003"\n')));
      await Bun.sleep(300);
    }
  } finally {
    await stopServer(proc);
  }
  // The ConfigMap layout: NAME.toml -> ..data/NAME.toml, ..data swapped by rename.
  const cm = join(dir, "configmap");
  mkdirSync(cm);
  const cmSocket = join(dir, "cm.sock");
  const cmProc = await startServer(cm, cmSocket, ["--watch"]);
  try {
    for (let i = 0; i < WATCH_RUNS; i++) {
      const name = `c${i}`;
      swapRuns.push(
        await timeToRunning(cmSocket, name, () => {
          const ts = `..2026_01_01_00_00_00.${String(i).padStart(9, "0")}`;
          mkdirSync(join(cm, ts));
          for (let j = 0; j <= i; j++) writeFileSync(join(cm, ts, `c${j}.toml`), '[service]\nexec = "sleep 31536004"\n');
          symlinkSync(ts, join(cm, "..data_tmp"));
          renameSync(join(cm, "..data_tmp"), join(cm, "..data"));
          symlinkSync(join("..data", `${name}.toml`), join(cm, `${name}.toml`));
        }),
      );
      await Bun.sleep(300);
    }
  } finally {
    await stopServer(cmProc);
  }
  return { fileRuns, swapRuns };
}

const dir = mkdtempSync(join(tmpdir(), "zinit-bench-fleet-"));
try {
  const loadStart = loadAverage();
  const scrape = await scrapeBench(dir);
  const watch = await watchBench(dir);
  const f = (x: number, d = 1) => x.toFixed(d);
  const report = `# zinit: metrics scrape and watched-config reload

Measured by \`scripts/bench-fleet.ts\` on this machine:

- date: ${new Date().toISOString()}
- kernel: ${Bun.spawnSync(["uname", "-r"]).stdout.toString().trim()}
- cpu: ${cpuModel() ?? "n/a"}; nproc: ${navigator.hardwareConcurrency}
- load average at start: ${loadStart}; at the end: ${loadAverage()}
- ${Bun.spawnSync([ZINIT, "version"]).stdout.toString().trim()} (bun ${Bun.version}), dist/zinit
- whole run: ${((Date.now() - started) / 1000).toFixed(0)} s; command: \`node_modules/.bin/bun scripts/bench-fleet.ts --services ${N} --scrapes ${SCRAPES} --watch-runs ${WATCH_RUNS}\`

| figure | value |
|---|---:|
| GET /metrics, ${N} services running: wall per scrape (median / p90) | ${f(median(scrape.running.walls))} / ${f(pct(scrape.running.walls, 0.9))} ms |
| the same: server CPU per scrape | ${f(scrape.running.cpuPerScrapeMs)} ms |
| the same: size of the text | ${(scrape.running.bytes / 1024).toFixed(0)} KiB |
| GET /metrics, ${N} services stopped: wall per scrape (median) | ${f(median(scrape.stopped.walls))} ms |
| the same: server CPU per scrape | ${f(scrape.stopped.cpuPerScrapeMs)} ms |
| --watch: file written -> service running (median / max of ${WATCH_RUNS}) | ${f(median(watch.fileRuns), 0)} / ${f(Math.max(...watch.fileRuns), 0)} ms |
| --watch: ConfigMap ..data swap -> new service running (median / max) | ${f(median(watch.swapRuns), 0)} / ${f(Math.max(...watch.swapRuns), 0)} ms |

The scrape computes the text from the records and reads the memory and CPU of
every live process group in one pass over \`/proc\` (\`/proc/N/stat\` of every
process): with the services running, that pass is most of the cost; stopped,
only the text is built. The server CPU is utime + stime of the server process
over ${SCRAPES} scrapes in a row, divided by ${SCRAPES} (10 ms ticks). The watch latency
is the 200 ms debounce plus the reload and the spawn; it is timed from the
write (or the rename of \`..data\`) to the service's \`running\` event.
`;
  mkdirSync(join(ROOT, "bench"), { recursive: true });
  writeFileSync(join(ROOT, "bench", "fleet.md"), report);
  console.log(report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
