/**
 * The metrics listener: Bun's HTTP server on the `--metrics` address, answering
 * `GET /metrics` (and HEAD) with the text `render` computes at that moment;
 * every other path is 404, other methods on /metrics 405. Off unless asked for.
 *
 * It is bound before any service starts, so an address in use (or not ours to
 * bind) stops the server at start-up with the reason, instead of a fleet of
 * containers silently running without metrics.
 */
import { ZinitError } from "../sdk/errors.ts";
import type { ListenAddress } from "./metrics-address.ts";
import { METRICS_CONTENT_TYPE } from "./metrics.ts";

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9100/metrics (the real port when 0 was asked for) */
  readonly url: string;
  stop(): void;
}

const WHY: Record<string, string> = {
  EADDRINUSE: "the address is in use (another process listens on that port)",
  EADDRNOTAVAIL: "the address is not one of this machine's",
  EACCES: "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
};

export function listenMetrics(address: ListenAddress, render: () => string): MetricsListener {
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: address.hostname,
      port: address.port,
      development: false,
      fetch(req) {
        const path = new URL(req.url).pathname;
        if (path !== "/metrics") return new Response("not found: the metrics are at /metrics\n", { status: 404 });
        if (req.method !== "GET" && req.method !== "HEAD") {
          return new Response("method not allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
        }
        return new Response(render(), { headers: { "Content-Type": METRICS_CONTENT_TYPE } });
      },
      error(err) {
        return new Response(`internal error: ${err.message}\n`, { status: 500 });
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    const why = WHY[code] ?? `${code ? `${code}: ` : ""}${(err as Error).message}`;
    throw new ZinitError("failed", `cannot serve metrics on ${address.text}: ${why}`);
  }
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return { url: `http://${host}:${server.port}/metrics`, stop: () => void server.stop(true) };
}
