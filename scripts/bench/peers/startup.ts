/**
 * Section "startup": a whole CLI process, from exec to exit, asking each server
 * for the status of one service (of one), and `zinit version`, which starts and
 * prints only. A compiled hello world (bytecode, like zinit) is Bun's own floor.
 * hyperfine -N, all commands in one invocation.
 */
import { join } from "node:path";
import { ZINIT } from "../../../test/helpers/paths.ts";
import { fmt } from "../stats.ts";
import { timeCommands } from "../timing.ts";
import { compile, log, type PeerBench, type PeerSection } from "./context.ts";
import { answers, type Peer, SleepCounter, startPeer, type Started, statusCommand, stopPeer, until } from "./systems.ts";

async function run(b: PeerBench): Promise<void> {
  const hello = compile(b, "hello", 'console.log("hello");\n');
  const peers: Peer[] = b.dinit ? ["zinit", "dinit", "supervisord"] : ["zinit", "supervisord"];
  const started: Started[] = [];
  try {
    for (const peer of peers) {
      const s = startPeer(peer, join(b.base, `startup-${peer}`), [{ name: "a" }], b.dinit);
      started.push(s);
      const counter = new SleepCounter(s.proc.pid);
      await until(`${peer}: service a`, () => counter.count() === 1);
      for (let i = 0; i < 100 && !(await answers(s, b.dinit)); i++) await Bun.sleep(100);
    }
    const commands = [[hello], [ZINIT, "version"], ...started.map((s) => statusCommand(s, "a", b.dinit))];
    log(`CLI timings: ${commands.length} commands, ${b.opts.cliRuns} runs each`);
    const t = timeCommands(commands, { runs: b.opts.cliRuns, warmup: 5, tmpDir: b.base, hyperfine: true });
    const [th, tv, ...ts] = t;
    const by = (p: Peer) => ts[started.findIndex((s) => s.peer === p)]?.median ?? Number.NaN;
    b.rows.push({ what: "`status NAME`, whole CLI process (median)", unit: "ms", zinit: by("zinit"), dinit: by("dinit"), supervisord: by("supervisord"), floor: th!.median, goal: "≤ 10 ms", met: by("zinit") <= 10, digits: 1 });
    b.rows.push({ what: "`zinit version`, start-up only (median)", unit: "ms", zinit: tv!.median, dinit: Number.NaN, supervisord: Number.NaN, floor: th!.median, goal: "≤ 8 ms", met: tv!.median <= 8, digits: 1 });
    const shown = (c: string) => c.replace(ZINIT, "dist/zinit").replace(b.base, "$TMP");
    b.sections.push(`## Start-up: a whole CLI process

\`hyperfine -N --warmup 5 --runs ${b.opts.cliRuns}\`, the commands in one invocation, each server running
one service \`a\` (\`sleep ${"31536001"}\`). The floor is a compiled hello world
(\`console.log("hello")\` built with \`--compile --bytecode --format=esm\`, as zinit is).

| command | median | min | mean | max |
|---|---:|---:|---:|---:|
${t.map((x) => `| \`${shown(x.command)}\` | ${fmt(x.median, 2)} ms | ${fmt(x.min, 2)} | ${fmt(x.mean, 2)} | ${fmt(x.max, 2)} |`).join("\n")}
`);
  } finally {
    for (const s of started) await stopPeer(s);
  }
}

export const startup: PeerSection = { name: "startup", about: "zinit version / status NAME vs dinitctl, supervisorctl and a hello world", run };
