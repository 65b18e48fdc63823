/**
 * Scrapes while 1,000 services change state (stop-all, then start-all): every
 * scrape is a whole, consistent exposition — promtool accepts it, and each service
 * has its seven state series with exactly one of them 1 — because the text is
 * built in one synchronous pass over the records, between two engine steps.
 * Also the scrape time at 1,000 services, printed for the record.
 */
import { describe, expect, test } from "bun:test";
import { http, promtoolCheck, startServer, waitFor, zinit, freePort } from "./lib.ts";

const N = 1000;

function checkConsistent(body: string): void {
  const state = body.split("\n").filter((l) => l.startsWith("zinit_service_state{"));
  expect(state.length).toBe(7 * N);
  const ones = new Map<string, number>();
  for (const l of state) {
    const name = /service="([^"]+)"/.exec(l)![1]!;
    if (l.endsWith(" 1")) ones.set(name, (ones.get(name) ?? 0) + 1);
    else expect(l.endsWith(" 0")).toBe(true);
  }
  expect(ones.size).toBe(N);
  expect([...ones.values()].every((n) => n === 1)).toBe(true);
}

describe("scrapes during a storm of state changes", () => {
  test(`${N} services: every scrape during stop-all and start-all is whole and consistent`, async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < N; i++) files[`s${String(i).padStart(4, "0")}`] = '[service]\nexec = "sleep 100000"\n[lifecycle]\nstop_timeout_ms = 2000\n';
    const port = await freePort();
    const s = await startServer(files, ["--metrics", `127.0.0.1:${port}`]);
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      const allUp = async () => ((await http(url)).body.match(/^zinit_service_up\{.*\} 1$/gm)?.length ?? 0) === N;
      await waitFor("all running", allUp, 30_000, 200);
      const quiet = await http(url);
      checkConsistent(quiet.body);
      const lint = await promtoolCheck(quiet.body);
      expect(lint.stdout + lint.stderr).toBe("");

      const times: number[] = [];
      const bodies: string[] = [];
      let storming = true;
      const scraper = (async () => {
        while (storming) {
          const r = await http(url);
          expect(r.status).toBe(200);
          times.push(r.ms);
          bodies.push(r.body);
        }
      })();
      expect((await zinit("--socket", s.socket, "stop-all")).code).toBe(0);
      await waitFor("all down", async () => ((await http(url)).body.match(/^zinit_service_state\{.*state="inactive"\} 1$/gm)?.length ?? 0) === N, 30_000, 100);
      expect((await zinit("--socket", s.socket, "start-all")).code).toBe(0);
      await waitFor("all up again", allUp, 30_000, 100);
      storming = false;
      await scraper;

      expect(bodies.length).toBeGreaterThan(3);
      // The scrapes saw the storm: some had services in between.
      expect(bodies.some((b) => /state="(stopping|starting|inactive)"\} 1/.test(b))).toBe(true);
      for (const b of bodies) checkConsistent(b);
      const mid = bodies[Math.floor(bodies.length / 2)]!;
      const midLint = await promtoolCheck(mid);
      expect(midLint.code).toBe(0);
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `scrape of ${N} services (${(quiet.body.length / 1024).toFixed(0)} KiB): ${bodies.length} scrapes during the storm, ` +
          `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
      );
    } finally {
      await s.stop();
    }
  }, 90_000);
});
