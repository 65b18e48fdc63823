/**
 * http health checks ([health] in docs/configuration.md) against a Bun.serve on 127.0.0.1: 2xx/3xx
 * passes (a 302 is not followed), anything else fails with `HTTP <code>`, the body
 * is never read, a probe is bounded by timeout_ms, and probes run every
 * min(interval_ms, 250) ms while starting, every interval_ms while running.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { healthToml, procAlive, recordEvents, status, waitFor, waitState, withServer } from "./lib.ts";

let code = 200;
const hits: Record<string, number> = {};
let web: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  web = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      switch (path) {
        case "/health":
          return new Response(`status ${code}\n`, { status: code });
        case "/redirect":
          return new Response(null, { status: 302, headers: { location: "/fail" } });
        case "/fail":
          return new Response("no\n", { status: 500 });
        case "/stream": {
          // a body that never ends: a probe that reads it would time out
          let timer: Timer | undefined;
          const body = new ReadableStream({
            start(c) {
              timer = setInterval(() => {
                try {
                  c.enqueue(new TextEncoder().encode("x".repeat(1024)));
                } catch {
                  clearInterval(timer);
                }
              }, 20);
            },
            cancel() {
              clearInterval(timer);
            },
          });
          return new Response(body, { status: 200 });
        }
        default:
          return new Response("missing\n", { status: 404 });
      }
    },
  });
});

afterAll(() => {
  web.stop(true);
});

function url(path: string): string {
  return `http://127.0.0.1:${web.port}${path}`;
}

function httpService(path: string, h: Record<string, number> = {}): string {
  return (
    `[service]\nexec = ["sleep", "1000"]\n[lifecycle]\nrestart_delay_ms = 100\n` +
    healthToml({ type: "http", target: url(path), interval_ms: 80, timeout_ms: 300, retries: 2, ...h })
  );
}

describe("http health", () => {
  test("/health answering 500 after 200: restarted after `retries` failures, running again once it answers 200", async () => {
    code = 200;
    await withServer({ api: httpService("/health") }, async (s) => {
      const run = await waitState(s, "api", "running");
      expect(run.reason).toBe(`healthy (pid ${run.pid})`);
      const rec = await recordEvents(s);
      try {
        code = 500;
        const stopping = await waitFor("stopping event", () => rec.of("api").find((e) => e.to === "stopping"), 3000);
        expect(stopping.reason).toBe("health check failed 2 times: HTTP 500");
        const restarting = await waitFor("back-off event", () => rec.of("api").find((e) => e.from === "stopping"), 3000);
        expect(restarting.to).toBe("starting");
        expect(restarting.reason).toBe("health check failed 2 times: HTTP 500; restarting in 100 ms (attempt 1)");
        const again = await waitState(s, "api", "starting", /^waiting for health check/, 3000);
        expect(again.pid).not.toBe(run.pid);
        expect(again.restarts).toBe(1);
        expect(procAlive(run.pid!)).toBe(false);
        // still 500: it stays starting (no second restart while starting)
        await Bun.sleep(300);
        const still = await status(s, "api");
        expect(still).toMatchObject({ state: "starting", pid: again.pid, restarts: 1 });
        expect(still.health).toMatchObject({ status: "failing", error: "HTTP 500" });
        code = 200;
        const back = await waitState(s, "api", "running", undefined, 3000);
        expect(back.pid).toBe(again.pid);
        expect(back.restarts).toBe(1);
        expect(back.health).toMatchObject({ status: "passing", error: null });
      } finally {
        rec.close();
      }
    });
  });

  // Probes belong to a live process: a user stop ends them, a start brings them back.
  test("no probes for a stopped service; they resume with the next start", async () => {
    code = 200;
    await withServer({ api: httpService("/health") }, async (s) => {
      await waitState(s, "api", "running");
      await s.rpc("service.stop", { name: "api" });
      const down = await waitState(s, "api", "inactive");
      expect(down.reason).not.toMatch(/health/);
      const n = hits["/health"]!;
      await Bun.sleep(400);
      expect(hits["/health"]!).toBe(n);
      await s.rpc("service.start", { name: "api" });
      await waitState(s, "api", "running");
      await Bun.sleep(300);
      expect(hits["/health"]! - n).toBeGreaterThanOrEqual(3);
    });
  });

  // interval_ms = 2000: while starting the probe still runs every 250 ms; once
  // running, every 2000 ms.
  test("probes every min(interval_ms, 250) ms while starting, every interval_ms while running", async () => {
    code = 503;
    await withServer({ slow: httpService("/health", { interval_ms: 2000 }) }, async (s) => {
      await waitState(s, "slow", "starting");
      await waitFor("first probe", () => (hits["/health"] ?? 0) > 0 || null);
      const n0 = hits["/health"]!;
      await Bun.sleep(1000);
      const starting = hits["/health"]! - n0;
      expect(starting).toBeGreaterThanOrEqual(3);
      expect(starting).toBeLessThanOrEqual(6);
      expect((await status(s, "slow")).health!.error).toBe("HTTP 503");
      code = 200;
      const t = Date.now();
      await waitState(s, "slow", "running", undefined, 2000);
      expect(Date.now() - t).toBeLessThan(700);
      const n1 = hits["/health"]!;
      await Bun.sleep(1000);
      expect(hits["/health"]! - n1).toBeLessThanOrEqual(1);
    });
    code = 200;
  });

  test("a 302 passes without being followed, a 404 fails, an endless body passes (never read)", async () => {
    hits["/fail"] = 0;
    await withServer(
      {
        redir: httpService("/redirect"),
        missing: httpService("/missing"),
        stream: httpService("/stream", { timeout_ms: 300 }),
      },
      async (s) => {
        const redir = await waitState(s, "redir", "running");
        expect(redir.health).toMatchObject({ status: "passing", error: null });
        const stream = await waitState(s, "stream", "running");
        expect(stream.health).toMatchObject({ status: "passing", error: null });
        await waitFor("missing probed", async () => (await status(s, "missing")).health?.status === "failing" || null);
        // still passing after a few probes each (a read of the endless body would time out)
        await Bun.sleep(700);
        const later = await status(s, "stream");
        expect(later).toMatchObject({ state: "running", pid: stream.pid, restarts: 0 });
        expect(later.health).toMatchObject({ status: "passing", error: null });
        expect((await status(s, "redir"))).toMatchObject({ state: "running", pid: redir.pid, restarts: 0 });
        const missing = await status(s, "missing");
        expect(missing.state).toBe("starting");
        expect(missing.health).toMatchObject({ status: "failing", error: "HTTP 404" });
        expect(hits["/redirect"]).toBeGreaterThan(3);
        expect(hits["/fail"]).toBe(0); // the redirect was never followed
      },
    );
  });

  // A server that accepts and never answers: each probe ends at timeout_ms, the
  // reason says so, and probes never overlap (at most one request in flight).
  test("a server that never answers: probes time out, never overlap, and the service is stopped as a failure", async () => {
    let hang = false;
    let inflight = 0;
    let maxInflight = 0;
    let requests = 0;
    const sockets = new Set<Socket>();
    const raw: NetServer = createServer((sock) => {
      sockets.add(sock);
      sock.on("error", () => {});
      let counted = false;
      sock.on("close", () => {
        sockets.delete(sock);
        if (counted) inflight--;
      });
      sock.once("data", () => {
        requests++;
        if (hang) {
          counted = true;
          inflight++;
          maxInflight = Math.max(maxInflight, inflight);
          return; // never answer
        }
        sock.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", () => r()));
    const port = (raw.address() as { port: number }).port;
    try {
      const svc =
        `[service]\nexec = ["sleep", "1000"]\n[lifecycle]\nrestart = "never"\n` +
        healthToml({ type: "http", target: `http://127.0.0.1:${port}/health`, interval_ms: 50, timeout_ms: 150, retries: 2 });
      await withServer({ mute: svc }, async (s) => {
        const run = await waitState(s, "mute", "running");
        const rec = await recordEvents(s);
        try {
          hang = true;
          const stopping = await waitFor("stopping event", () => rec.of("mute").find((e) => e.to === "stopping"), 3000);
          expect(stopping.reason).toBe("health check failed 2 times: timed out after 150 ms");
          const end = await waitState(s, "mute", "failed", undefined, 3000);
          expect(end.reason).toBe("health check failed 2 times: timed out after 150 ms");
          expect(end.pid).toBeNull();
          expect(procAlive(run.pid!)).toBe(false);
          expect(maxInflight).toBe(1);
          // nothing probes a service that is gone
          const n = requests;
          await Bun.sleep(300);
          expect(requests).toBe(n);
        } finally {
          rec.close();
        }
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });
});
