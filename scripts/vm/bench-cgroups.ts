/**
 * What cgroups cost in VM mode (figures in bench/cgroups.md):
 *
 *   node_modules/.bin/bun scripts/vm/bench-cgroups.ts [RUNS] [--services N] [--stop M]
 *
 * Boots the image of images/vm/ plus N (default 1,000) services `sN`
 * (`sleep`) and two oneshots: `allup` (requires every sN: prints the guest's
 * uptime once all run) and `stopper` (after allup: asks the server its uptime,
 * which dates the server's start, then `zinit stop` of the first M (default 500)
 * services, timed with the guest's uptime until their processes are gone, then
 * `zinit poweroff`). Each boot is
 * done with cgroups (each service spawned into a cgroup of its own, with a
 * memory_max and pids_max written) and without (`ZINIT_CGROUPS=off` on the kernel
 * command line), RUNS times (default 3) in turn. The server logs at `warn` only,
 * so the serial console does not pace the start. Prints a Markdown table of medians.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUILD, REPO, VmConsole } from "../../test/integration/vm/console.ts";

const { values, positionals } = parseArgs({ options: { services: { type: "string" }, stop: { type: "string" } }, allowPositionals: true });
const runs = Number(positionals[0] ?? 3);
const n = Number(values.services ?? 1000);
const m = Math.min(n, Number(values.stop ?? 500));
const work = mkdtempSync(join(tmpdir(), "zinit-vm-bench-cg-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

const services = join(work, "overlay", "etc", "zinit", "services");
mkdirSync(services, { recursive: true });
const names = Array.from({ length: n }, (_, i) => `s${i}`);
for (const name of names) {
  writeFileSync(join(services, `${name}.toml`), `[service]\nexec = ["/bin/sleep", "100000"]\n\n[resources]\nmemory_max = "64M"\npids_max = 32\n`);
}
const uptime = "read -r up _ </proc/uptime";
writeFileSync(
  join(services, "allup.toml"),
  `[service]\nexec = ["/bin/sh", "-c", "${uptime}; echo \\"bench: allup $up\\""]\noneshot = true\n[dependencies]\nrequires = ${JSON.stringify(names)}\n`,
);
writeFileSync(
  join(services, "stopper.toml"),
  [
    "[service]",
    'exec = ["/bin/sh", "/bench-stop.sh"]',
    "oneshot = true",
    "[lifecycle]",
    "start_timeout_ms = 600000",
    // after, not requires: stopping the sN takes down what requires them, allup and its dependents.
    "[dependencies]",
    'after = ["allup"]',
    "",
  ].join("\n"),
);
writeFileSync(
  join(work, "overlay", "bench-stop.sh"),
  [
    // The server's uptime at the answer, read just before the CLI returns: when it started.
    uptime,
    "zinit --json info >/run/info.json",
    "read -r a _ </proc/uptime",
    `server_ms=$(sed -n 's/^  "uptime_ms": \\([0-9]*\\),$/\\1/p' /run/info.json)`,
    // Until their processes are gone: \`zinit stop\` itself would also time the CLI's
    // settle, which reads every service's status once.
    `zinit stop --no-wait ${names.slice(0, m).join(" ")} >/dev/null`,
    `while [ "$(grep -l -F 100000 /proc/[0-9]*/cmdline 2>/dev/null | wc -l)" -gt ${n - m} ]; do sleep 0.05; done`,
    "read -r b _ </proc/uptime",
    'echo "bench: info $up $a $server_ms"',
    'echo "bench: $(zinit info | grep \'^cgroups:\')"',
    'echo "bench: stop $a $b"',
    "exec zinit poweroff",
    "",
  ].join("\n"),
);

const out = join(work, "out");
const built = Bun.spawnSync(["bash", BUILD, "--overlay", join(work, "overlay"), out], { cwd: REPO, stdout: "pipe", stderr: "inherit" });
if (built.exitCode !== 0) throw new Error("scripts/build-initramfs failed");

interface Boot {
  /** the server's start → allup's shell running (guest uptime), s */
  start: number;
  /** `zinit info` (a CLI round trip, for scale), s */
  cli: number;
  /** `zinit stop --no-wait` of M services until their processes are gone, s */
  stop: number;
  cgroups: string;
}

async function boot(withCgroups: boolean): Promise<Boot> {
  const append = `ZINIT_LOG_LEVEL=warn${withCgroups ? "" : " ZINIT_CGROUPS=off"}`;
  const c = new VmConsole(["--no-build", "--out", out, "--mem", "1536", "--append", append]);
  try {
    await c.waitFor(/bench: stop /, 600_000);
    if ((await c.waitExit(120_000)) === null) throw new Error(`QEMU did not exit:\n${c.dump()}`);
    // Read from whole lines only, now that the console is complete (waitFor also sees a line still arriving).
    const line = (re: RegExp) => {
      const i = c.find(re);
      if (i < 0) throw new Error(`no ${re} on the console`);
      return c.lines[i]!;
    };
    const [allup, info, stop] = [line(/bench: allup /), line(/bench: info /), line(/bench: stop /)];
    const num = (l: { text: string }, i: number) => Number(l.text.split(/\s+/).at(i));
    const errors = c.lines.filter((l) => /\[zinit(-pid1)?\] .*(error|uncaught|unhandled)/.test(l.text));
    if (errors.length > 0) throw new Error(`errors on the console:\n${errors.map((l) => l.text).join("\n")}`);
    const cgLine = c.lines.find((l) => /bench: cgroups: /.test(l.text))?.text ?? "";
    const serverStart = num(info, -2) - num(info, -1) / 1000;
    return {
      start: num(allup, -1) - serverStart,
      cli: num(info, -2) - num(info, -3),
      stop: num(stop, -1) - num(stop, -2),
      cgroups: cgLine,
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${c.dump().split("\n").slice(-60).join("\n")}`);
  } finally {
    c.kill();
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};
/** median (min–max); a boot whose line could not be read (NaN) is left out and counted */
const stat = (all: number[]) => {
  const xs = all.filter((x) => Number.isFinite(x));
  const lost = all.length - xs.length;
  if (xs.length === 0) return "–";
  return statOf(xs) + (lost > 0 ? ` (${lost} unread)` : "");
};
const statOf = (xs: number[]) => (xs.length > 1 ? `${median(xs).toFixed(2)} (${sorted(xs)[0]!.toFixed(2)}–${sorted(xs).at(-1)!.toFixed(2)})` : xs[0]!.toFixed(2));

const load = () => loadavg().map((x) => x.toFixed(2)).join(" / ");
const loadBefore = load();
const results: Record<"with" | "without", Boot[]> = { with: [], without: [] };
for (let i = 0; i < runs; i++) {
  results.with.push(await boot(true));
  results.without.push(await boot(false));
}
const qemu = Bun.spawnSync(["qemu-system-x86_64", "--version"]).stdout.toString().split("\n")[0];
console.log(`- date: ${new Date().toISOString()}`);
console.log(`- command: \`node_modules/.bin/bun scripts/vm/bench-cgroups.ts ${runs} --services ${n} --stop ${m}\` (as root)`);
console.log(`- host: ${cpus().length} × ${cpus()[0]?.model}, kernel ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}`);
console.log(`- ${qemu}; \`-cpu max -smp 2 -m 1536\`, accel as scripts/vm/run picks it`);
console.log(`- \`zinit info\` said: with \`${results.with[0]!.cgroups.replace(/^.*bench: /, "")}\`, without \`${results.without[0]!.cgroups.replace(/^.*bench: /, "")}\``);
console.log(`- ${runs} boots each, in turn; median (min–max), seconds of guest uptime\n`);
console.log(`| | cold start: server start → ${n} services running | stop of ${m} services: request → their processes gone | a \`zinit info\` round trip, for scale |`);
console.log("| --- | --- | --- | --- |");
for (const k of ["with", "without"] as const) {
  const r = results[k];
  console.log(`| ${k} cgroups | ${stat(r.map((b) => b.start))} | ${stat(r.map((b) => b.stop))} | ${stat(r.map((b) => b.cli))} |`);
}
const med = (xs: number[]) => median(xs.filter((x) => Number.isFinite(x)));
const perSpawn = ((med(results.with.map((b) => b.start)) - med(results.without.map((b) => b.start))) / n) * 1e3;
const perStop = ((med(results.with.map((b) => b.stop)) - med(results.without.map((b) => b.stop))) / m) * 1e3;
console.log(`\n- placement (mkdir, limits written, spawn into the cgroup), per service: ${perSpawn.toFixed(2)} ms (difference of the medians / ${n})`);
console.log(`- stop through the cgroup, per service: ${perStop.toFixed(2)} ms (difference of the medians / ${m})`);
console.log(`- load average (1/5/15 min) before: ${loadBefore}; after: ${load()}`);
