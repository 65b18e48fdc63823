/**
 * Where an idle zinit's wake-ups come from: bare Bun programs, compiled like
 * zinit, each holding one of the things the server holds or held, idle side by
 * side with a zinit server of 100 services. Counts how often a thread of each ran
 * (the third field of /proc/PID/task/TID/schedstat, threads alive at both ends)
 * and its CPU time over the window, then records a few seconds of strace of the
 * program that holds a Bun.connect({ fd }) socket, to show the timer, and of the
 * zinit server. Writes bench/idle.md.
 *
 *   node_modules/.bin/bun scripts/bench/idle-sources.ts [--settle 100] [--seconds 60]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, ZINIT } from "../../test/helpers/paths.ts";
import { cpuMs } from "../../test/helpers/proc.ts";
import { machineBlock, readMachine } from "./machine.ts";

const { values } = parseArgs({ options: { settle: { type: "string", default: "100" }, seconds: { type: "string", default: "60" } } });
const SETTLE_S = Number(values.settle);
const WINDOW_S = Number(values.seconds);

/** socketpair(2) through libc, as zinit's own FFI module does it. */
const SOCKETPAIR = `
import { dlopen, FFIType, ptr } from "bun:ffi";
const libc = dlopen("libc.so.6", { socketpair: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
function socketPair() { const fds = new Int32Array(2); if (libc.symbols.socketpair(1, 1 | 0x80000, 0, ptr(fds)) !== 0) throw new Error("socketpair"); return [fds[0], fds[1]]; }
`;

/** 100 pipes read as zinit reads its services' output: O_ASYNC (SIGIO) and one epoll set. */
const SIGIO_PIPES = `
import { dlopen, FFIType, ptr } from "bun:ffi";
const { i32 } = FFIType;
const libc = dlopen("libc.so.6", {
  pipe2: { args: [FFIType.ptr, i32], returns: i32 }, fcntl: { args: [i32, i32, i32], returns: i32 },
  epoll_create1: { args: [i32], returns: i32 }, epoll_ctl: { args: [i32, i32, i32, FFIType.ptr], returns: i32 }, getpid: { args: [], returns: i32 },
}).symbols;
const ep = libc.epoll_create1(0x80000);
process.on("SIGIO", () => {});
globalThis.keep = [];
for (let i = 0; i < 100; i++) {
  const fds = new Int32Array(2);
  if (libc.pipe2(ptr(fds), 0x80000) !== 0) throw new Error("pipe2");
  globalThis.keep.push(fds[1]);
  libc.fcntl(fds[0], 4, 0o4000 | 0o20000); // F_SETFL O_NONBLOCK | O_ASYNC
  libc.fcntl(fds[0], 8, libc.getpid()); // F_SETOWN
  const ev = new Uint8Array(16); new DataView(ev.buffer).setUint32(0, 1, true); new DataView(ev.buffer).setInt32(4, fds[0], true);
  if (libc.epoll_ctl(ep, 1, fds[0], ptr(ev)) !== 0) throw new Error("epoll_ctl");
}
`;

const IDLE = "setInterval(() => {}, 1 << 30);";

const PROGRAMS: { name: string; what: string; source: string }[] = [
  { name: "timer", what: "a Bun program with one far-off timer (keeps it alive)", source: IDLE },
  { name: "listen", what: "… plus a listening Unix socket (`Bun.listen`), no client", source: `Bun.listen({ unix: process.argv[2], socket: { data() {} } }); ${IDLE}` },
  {
    name: "connect-fd",
    what: "… plus one socketpair end read with `Bun.connect({ fd })` (how zinit read a service's output until it had its own reader), nothing written",
    source: `${SOCKETPAIR} const [a, b] = socketPair(); globalThis.keep = b; Bun.connect({ fd: a, socket: { data() {} }, data: {} }); ${IDLE}`,
  },
  {
    name: "connect-fd-100",
    what: "… the same with 100 socketpairs",
    source: `${SOCKETPAIR} globalThis.keep = []; for (let i = 0; i < 100; i++) { const [a, b] = socketPair(); globalThis.keep.push(b); Bun.connect({ fd: a, socket: { data() {} }, data: {} }); } ${IDLE}`,
  },
  {
    name: "pipe-stream",
    what: "… one socketpair end read as a ReadableStream (`Bun.file(fd).stream()`), nothing written",
    source: `${SOCKETPAIR} const [a, b] = socketPair(); globalThis.keep = b; (async () => { for await (const _ of Bun.file(a).stream()) {} })(); ${IDLE}`,
  },
  {
    name: "sigio-100",
    what: "… 100 pipes, each O_ASYNC (SIGIO) and in one epoll set, as zinit reads its services' output now; nothing written",
    source: `${SIGIO_PIPES} ${IDLE}`,
  },
];

interface Counts {
  runs: Map<string, number>;
  cpu: number;
}

function counts(pid: number): Counts {
  const runs = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      runs.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[2]));
    } catch {}
  }
  return { runs, cpu: cpuMs(pid) };
}

function threadNames(pid: number): string {
  const names = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const n = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      names.set(n, (names.get(n) ?? 0) + 1);
    } catch {}
  }
  return [...names].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(", ");
}

const startedAt = performance.now();
const machine = readMachine(ZINIT);
const base = mkdtempSync(join(tmpdir(), "zinit-idle-sources-"));
const procs: { name: string; what: string; proc: Bun.Subprocess }[] = [];
try {
  for (const p of PROGRAMS) {
    const src = join(base, `${p.name}.ts`);
    writeFileSync(src, p.source);
    const out = join(base, p.name);
    execFileSync(join(ROOT, "node_modules/.bin/bun"), ["build", src, "--compile", "--minify", "--bytecode", "--format=esm", "--outfile", out], { cwd: base, stdio: "ignore" });
    procs.push({ name: p.name, what: p.what, proc: Bun.spawn([out, join(base, `${p.name}.sock`)], { stdio: ["ignore", "ignore", "inherit"] }) });
  }
  const conf = join(base, "conf");
  mkdirSync(conf);
  for (let i = 0; i < 100; i++) writeFileSync(join(conf, `s_${i}.toml`), `[service]\nexec = ["sleep", "31536001"]\n[logging]\nforward = false\n`);
  procs.push({
    name: "zinit",
    what: "zinit server, 100 services (`sleep`), output captured, not forwarded",
    proc: Bun.spawn([ZINIT, "server", "--config-dir", conf, "--socket", join(base, "zinit.sock")], { stdio: ["ignore", "ignore", "ignore"] }),
  });
  console.error(`idle-sources: ${procs.length} programs started; ${SETTLE_S} s of quiet, then ${WINDOW_S} s counted`);
  await Bun.sleep(SETTLE_S * 1000);
  const before = procs.map((p) => counts(p.proc.pid));
  await Bun.sleep(WINDOW_S * 1000);
  const after = procs.map((p) => counts(p.proc.pid));
  const rows = procs.map((p, i) => {
    let runs = 0;
    for (const [tid, n] of after[i]!.runs) {
      const b = before[i]!.runs.get(tid);
      if (b !== undefined) runs += n - b;
    }
    return `| ${p.name} | ${p.what} | ${after[i]!.cpu - before[i]!.cpu} | ${runs} | ${(runs / WINDOW_S).toFixed(2)} | ${threadNames(p.proc.pid)} |`;
  });
  // The wake pattern of the Bun.connect({ fd }) program, from the kernel's side.
  const connect = procs.find((p) => p.name === "connect-fd")!;
  const trace = spawnSync("timeout", ["5", "strace", "-f", "-tt", "-e", "trace=epoll_pwait2,epoll_wait,futex", "-p", String(connect.proc.pid)], { encoding: "utf8" });
  // And everything the zinit server does in the same 5 s (it should be nothing).
  const server = procs.find((p) => p.name === "zinit")!;
  const serverTrace = spawnSync("timeout", ["5", "strace", "-f", "-tt", "-p", String(server.proc.pid)], { encoding: "utf8" });
  const serverCalls = (serverTrace.stderr ?? "").split("\n").filter((l) => /^\[pid +\d+\] \d|^\d\d:/.test(l) && !/resumed|resuming interrupted|detached/.test(l));
  const traceLines = (trace.stderr ?? "")
    .split("\n")
    .filter((l) => /epoll_pwait2\(|epoll_wait\(|futex\(/.test(l) && !l.includes("resumed"))
    .slice(0, 14)
    .map((l) => l.replace(/\{u32=\d+, u64=\d+\}/g, "…").slice(0, 150));
  writeFileSync(
    join(ROOT, "bench", "idle.md"),
    `# Where an idle server's wake-ups come from

Written by \`node_modules/.bin/bun scripts/bench/idle-sources.ts --settle ${SETTLE_S} --seconds ${WINDOW_S}\`.
All programs run at once, compiled like zinit (\`--compile --bytecode --format=esm\`,
Bun ${Bun.version}); after ${SETTLE_S} s of quiet, ${WINDOW_S} s are counted: CPU time
(utime + stime) and how often any thread was put on a CPU (third field of
\`/proc/PID/task/TID/schedstat\`, threads alive at both ends).

${machineBlock(machine, "dist/zinit", performance.now() - startedAt, `\`node_modules/.bin/bun scripts/bench/idle-sources.ts --settle ${SETTLE_S} --seconds ${WINDOW_S}\``)}

| program | what it holds | CPU (ms) | thread runs | runs/s | threads |
|---|---|---:|---:|---:|---|
${rows.join("\n")}

## What wakes the Bun.connect({ fd }) program

\`strace -f -tt -e trace=epoll_pwait2,epoll_wait,futex\` for 5 s: the event loop's
wait times out about once a second (and once more every 4 s), although nothing is
written to the socket, and each time it wakes a second thread (mimalloc's
scavenger, by futex):

\`\`\`
${traceLines.join("\n")}
\`\`\`

So a Bun program reading even one socket with Bun's own socket wakes about three
times a second, whatever it does in JavaScript; a listening socket alone, or a pipe
read as a ReadableStream, does not. The accepted end of a connection does too (a
listener with one idle Python client connected ran 89 times in 30 s, measured by
hand the same way), so an idle \`logs -f\` or TUI client keeps the server waking
while it is connected. Bun has no option that turns this timer off
(\`BUN_GC_TIMER_DISABLE=1\` and \`BUN_IDLE_GC_SECONDS=0\` were tried: 2.8 runs/s either way).

zinit used to read every service's stdout and stderr that way (a ReadableStream per
pipe costs ~7.9 KB plus a buffer of its own, \`bench/memory.md\`). It now reads them
without any of Bun's readers: each pipe is O_ASYNC, a write sends SIGIO, one epoll set
asked without waiting says which pipes have something (\`sigio-100\` above holds
exactly that). \`strace -f -tt -p\` of the zinit server for the same 5 s recorded
${serverCalls.length} system calls${serverCalls.length > 0 ? ":" : ""} (besides the waits strace itself interrupts when it attaches and detaches).
${serverCalls.length > 0 ? `\n\`\`\`\n${serverCalls.slice(0, 20).map((l) => l.slice(0, 150)).join("\n")}\n\`\`\`\n` : ""}
What is left of a bare timer program's runs (the \`timer\` row) is Bun's own: its
threads (the mimalloc scavenger, JSC's heap helper) wake now and then whatever the
program holds.
`,
  );
  console.error("idle-sources: wrote bench/idle.md");
} finally {
  for (const p of procs) p.proc.kill("SIGTERM");
  await Promise.all(procs.map((p) => p.proc.exited));
  rmSync(base, { recursive: true, force: true });
}
