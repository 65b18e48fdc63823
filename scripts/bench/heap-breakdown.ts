/**
 * Where a service's bytes go in the server: runs the server from source twice,
 * with 0 and with N idle services (`sleep 31536001`, output captured, not
 * forwarded), and after 10 s takes a JSC heap snapshot of each (Bun's
 * generateHeapSnapshot, after a full GC, through a preloaded signal handler) and
 * the process's memory (smaps_rollup). Prints, as markdown, the heap by object
 * class per service (the difference divided by N) and the anonymous memory per
 * service. bench/memory.md quotes its output.
 *
 *   node_modules/.bin/bun scripts/bench/heap-breakdown.ts [N=1000]
 *
 * From source, not the compiled executable: a compiled zinit drops BUN_OPTIONS
 * (--preload) by design. The objects per service are the same code's.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../test/helpers/paths.ts";
import { childrenOf } from "./peers/systems.ts";

const N = Number(process.argv[2] ?? 1000);
const base = mkdtempSync(join(tmpdir(), "zinit-heap-"));
const PRELOAD = `
import { writeFileSync } from "node:fs";
process.on("SIGUSR2", () => {
  Bun.gc(true);
  writeFileSync(process.env.HEAP_SNAP, JSON.stringify(Bun.generateHeapSnapshot()));
});
`;

interface Shot {
  byClass: Map<string, { bytes: number; count: number }>;
  anonKb: number;
  rssKb: number;
}

async function shot(n: number): Promise<Shot> {
  const dir = join(base, `n${n}`);
  mkdirSync(join(dir, "conf"), { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, "conf", `s_${i}.toml`), `[service]\nexec = ["sleep", "31536001"]\n[logging]\nforward = false\n`);
  }
  writeFileSync(join(dir, "preload.ts"), PRELOAD);
  const snap = join(dir, "snap.json");
  const p = Bun.spawn(
    [join(ROOT, "node_modules/.bin/bun"), "--preload", join(dir, "preload.ts"), join(ROOT, "src/main.ts"), "server", "--config-dir", join(dir, "conf"), "--socket", join(dir, "z.sock")],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore", env: { ...process.env, HEAP_SNAP: snap } },
  );
  try {
    for (let i = 0; i < 600 && childrenOf(p.pid).length < n; i++) await Bun.sleep(100);
    await Bun.sleep(10_000);
    const rollup = readFileSync(`/proc/${p.pid}/smaps_rollup`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1]);
    const anonKb = kb("Anonymous");
    const rssKb = kb("Rss");
    p.kill("SIGUSR2");
    for (let i = 0; i < 100; i++) {
      await Bun.sleep(100);
      try {
        JSON.parse(readFileSync(snap, "utf8"));
        break;
      } catch {}
    }
    const s = JSON.parse(readFileSync(snap, "utf8")) as { nodes: number[]; nodeClassNames: string[] };
    const byClass = new Map<string, { bytes: number; count: number }>();
    // JSC snapshot nodes: [id, size, classNameIndex, flags] each
    for (let i = 0; i < s.nodes.length; i += 4) {
      const c = s.nodeClassNames[s.nodes[i + 2]!]!;
      const e = byClass.get(c) ?? { bytes: 0, count: 0 };
      e.bytes += s.nodes[i + 1]!;
      e.count++;
      byClass.set(c, e);
    }
    return { byClass, anonKb, rssKb };
  } finally {
    p.kill("SIGTERM");
    await p.exited;
  }
}

try {
  const a = await shot(0);
  const b = await shot(N);
  const rows = [...new Set([...a.byClass.keys(), ...b.byClass.keys()])]
    .map((c) => ({
      c,
      bytes: (b.byClass.get(c)?.bytes ?? 0) - (a.byClass.get(c)?.bytes ?? 0),
      count: (b.byClass.get(c)?.count ?? 0) - (a.byClass.get(c)?.count ?? 0),
    }))
    .filter((r) => r.bytes / N >= 16)
    .sort((x, y) => y.bytes - x.bytes);
  const heap = rows.reduce((s, r) => s + r.bytes, 0);
  console.log(`| object class | objects per service | bytes per service |\n|---|---:|---:|`);
  for (const r of rows) console.log(`| ${r.c} | ${(r.count / N).toFixed(1)} | ${(r.bytes / N).toFixed(0)} |`);
  console.log(`| **JS heap, these classes** | | **${(heap / N).toFixed(0)}** |`);
  console.log(`\nanonymous memory: ${a.anonKb} kB with 0 services, ${b.anonKb} kB with ${N}: ${((b.anonKb - a.anonKb) / N).toFixed(1)} KB per service`);
  console.log(`RSS: ${a.rssKb} kB with 0 services, ${b.rssKb} kB with ${N}`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
