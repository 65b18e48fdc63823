/**
 * The method table of the socket API bound to one supervisor. Handlers translate
 * params to supervisor commands and records to protocol views; they hold no state
 * of their own beyond the subscriptions tied to a connection's lifetime.
 */
import type { GraphEdge, GraphResult, SystemInfo } from "../../sdk/protocol/types.ts";
import { ZinitError } from "../../sdk/errors.ts";
import { VERSION } from "../../version.ts";
import type { Supervisor } from "../supervisor.ts";
import { listView, statusView } from "./service-views.ts";
import { healthReport } from "../health-report.ts";
import { scrapeMetrics } from "../metrics-source.ts";
import type { HandlerTable } from "./listen.ts";
import type { ConfigStore } from "../config-store.ts";

export interface ServerContext {
  supervisor: Supervisor;
  config: ConfigStore;
  mode: SystemInfo["mode"];
  startedAt: number;
  paths: SystemInfo["paths"];
  /** asks the process to run its ordered shutdown (after the reply is sent) */
  requestShutdown(kind: "shutdown" | "reboot" | "poweroff"): void;
  /** whether this server may reboot or power off the machine */
  powerControl: boolean;
  reapedOrphans(): number;
  /** whether services run in cgroups of their own, or why not */
  cgroups: SystemInfo["cgroups"];
}

const DEFAULT_LOG_LINES = 100;

export function buildHandlers(ctx: ServerContext): HandlerTable {
  const sup = ctx.supervisor;
  const record = (name: string) => {
    const rec = sup.lookup(name);
    if (!rec) throw new ZinitError("not_found", `unknown service "${name}"`);
    return rec;
  };
  const power = (kind: "reboot" | "poweroff") => {
    if (!ctx.powerControl) {
      throw new ZinitError("refused", `${kind} needs zinit running as PID 1 in VM mode (this server runs in ${ctx.mode} mode)`);
    }
    ctx.requestShutdown(kind);
    return null;
  };
  return {
    "service.list": () => listView(sup),
    "service.status": ({ name }) => statusView(sup, record(name)),
    "service.start": ({ name }) => (sup.start(name), null),
    "service.stop": ({ name }) => (sup.stop(name), null),
    "service.restart": ({ name }) => (sup.restart(name), null),
    "service.kill": ({ name, signal }) => (sup.kill(name, signal ?? "SIGTERM"), null),
    "service.start_all": () => sup.startAll(),
    "service.create": ({ name, config }) => ctx.config.create(name, config),
    "service.delete": ({ name }) => ctx.config.delete(name),
    "service.delete_all": () => ctx.config.deleteAll(),
    "system.reload": () => ctx.config.reload(),
    "service.stop_all": () => sup.stopAll(),
    "service.logs": ({ name, lines, follow }, conn) => {
      const out = sup.logs(name, lines ?? DEFAULT_LOG_LINES);
      if (follow) {
        const off = sup.onLog((line) => {
          if (name === undefined || line.name === name) conn.notify("log", line);
        });
        conn.onClose(off);
      }
      return out;
    },
    "events.subscribe": (_params, conn) => {
      const off = sup.onState((event) => conn.notify("event", event));
      conn.onClose(off);
      return null;
    },
    "graph.get": ({ name }) => graphView(sup, name),
    "system.info": () => ({
      version: VERSION,
      mode: ctx.mode,
      pid: process.pid,
      uptime_ms: Date.now() - ctx.startedAt,
      started_at: new Date(ctx.startedAt).toISOString(),
      paths: ctx.paths,
      reaped_orphans: ctx.reapedOrphans(),
      cgroups: ctx.cgroups,
    }),
    "system.health": ({ names }) => healthReport(sup.records, names),
    "system.metrics": () => scrapeMetrics(sup, ctx.mode, ctx.reapedOrphans()),
    "system.shutdown": () => {
      ctx.requestShutdown("shutdown");
      return null;
    },
    "system.reboot": () => power("reboot"),
    "system.poweroff": () => power("poweroff"),
  };
}

function graphView(sup: Supervisor, name: string | undefined): GraphResult {
  const g = sup.graph;
  let names: string[];
  if (name !== undefined) {
    if (!g.has(name)) throw new ZinitError("not_found", `unknown service "${name}"`);
    names = [name, ...g.pullIn(name), ...g.dependenciesOf(name).map((e) => e.to)];
  } else names = [...g.names];
  const keep = new Set(names);
  const edges: GraphEdge[] = [];
  for (const n of keep) {
    for (const e of g.dependenciesOf(n)) if (keep.has(e.to)) edges.push({ from: e.from, to: e.to, type: e.type });
    for (const c of g.conflictsOf(n)) if (keep.has(c) && n < c) edges.push({ from: n, to: c, type: "conflicts" });
  }
  return {
    nodes: [...keep].sort().map((n) => ({ name: n, kind: g.kindOf(n) ?? "service", state: sup.lookup(n)?.state ?? "inactive" })),
    edges,
    cycles: g.cycles.map((c) => c.path.join(" -> ")),
    unknown: g.unknown.filter((u) => keep.has(u.from)).map((u) => ({ ...u })),
  };
}
