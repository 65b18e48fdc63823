/**
 * The shapes that cross the socket (docs/protocol.md). Shared by the server's
 * handlers, the SDK client and the CLI renderers.
 */
import type { ServiceState } from "../states.ts";
import type { Dependencies, ServiceClass, StartStatus, UnitKind } from "../config/types.ts";

export interface ExitInfo {
  code: number | null;
  signal: string | null; // "SIGKILL" or null
}

export interface HealthInfo {
  status: "passing" | "failing" | "unknown";
  checked_at: string | null;
  error: string | null;
}

export interface ServiceSummary {
  name: string;
  kind: UnitKind;
  state: ServiceState;
  reason: string;
  pid: number | null;
  class: ServiceClass;
  status: StartStatus;
  since: string;
  restarts: number;
  health: HealthInfo["status"] | null;
  /** RSS of the live processes of the service, summed; null without a process (absent from older servers) */
  memory_bytes?: number | null;
}

/** One live process of a service. */
export interface ProcessInfo {
  pid: number;
  /** its command line, or `[comm]` when it has none */
  cmd: string;
}

/** File logging of a service (`[logging] file`): where, how big, what was lost. */
export interface LogFileStatus {
  path: string;
  /** bytes in the current file */
  size: number;
  /** lines not written: the queue was full, or a write failed */
  dropped: number;
  /** failed writes (and failed opens) since load */
  errors: number;
  /** the last failure, null once a write succeeds again */
  error: string | null;
}

/** `service.status` reports health as an object where the summary has a string. */
export interface ServiceStatusResult extends Omit<ServiceSummary, "health"> {
  /** null unless a process is being probed now (starting or running) */
  health: HealthInfo | null;
  /** the last check of a process that is gone, while none is probed; null otherwise */
  last_health?: HealthInfo | null;
  exit: ExitInfo | null;
  config: Record<string, unknown>;
  dependencies: Dependencies;
  dependents: string[];
  file: string;
  /** CPU time of the live processes and of the children they reaped, in ms; null without a process */
  cpu_ms?: number | null;
  /** how many live processes the service has */
  pids?: number | null;
  processes?: ProcessInfo[];
  /** null without `[logging] file` */
  log_file?: LogFileStatus | null;
}

export interface StateEvent {
  name: string;
  from: ServiceState;
  to: ServiceState;
  at: string;
  reason: string;
  pid: number | null;
}

export interface LogLine {
  name: string;
  stream: "stdout" | "stderr";
  line: string;
  at: string;
}

export interface GraphNode {
  name: string;
  kind: UnitKind;
  state: ServiceState;
}
export interface GraphEdge {
  from: string;
  to: string;
  type: "requires" | "after" | "wants" | "conflicts";
}
export interface GraphResult {
  nodes: GraphNode[];
  edges: GraphEdge[];
  cycles: string[];
  unknown: { from: string; to: string; type: string }[];
}

export interface SystemInfo {
  version: string;
  mode: "standalone" | "container" | "vm";
  pid: number;
  uptime_ms: number;
  started_at: string;
  paths: { config_dir: string; system_dir: string | null; socket: string };
  /** processes zinit did not spawn that it reaped (double-forked descendants, namespace orphans) */
  reaped_orphans: number;
  cgroups: CgroupsInfo;
}

/** Whether services run in cgroups of their own (cgroup v2), where, and if not, why. */
export interface CgroupsInfo {
  enabled: boolean;
  /** zinit's cgroup, below which each service has its own; null when not enabled */
  path: string | null;
  /** why cgroups are not used; null when enabled */
  reason: string | null;
  /** the controllers enabled for the services (of cpu, io, memory, pids) */
  controllers: string[];
}

export interface ReloadResult {
  added: string[];
  removed: string[];
  changed: { name: string; restarted: boolean }[];
  unchanged: string[];
  errors: string[];
}

/** One unit as `zinit health` judges it (`system.health`). */
export interface HealthVerdict {
  name: string;
  kind: UnitKind;
  state: ServiceState;
  /** running (a oneshot: exited 0) and its health check, if any, passing */
  healthy: boolean;
  /** why it is not healthy, e.g. "starting: requires db (starting)"; null when healthy */
  problem: string | null;
}

/** The answer of `system.health`: every unit asked about, and whether all pass. */
export interface HealthReport {
  healthy: boolean;
  units: HealthVerdict[];
}

/** Params and results of every method, for the typed client and the dispatcher. */
export interface Methods {
  "service.list": { params: Record<string, never>; result: ServiceSummary[] };
  "service.status": { params: { name: string }; result: ServiceStatusResult };
  "service.start": { params: { name: string }; result: null };
  "service.stop": { params: { name: string }; result: null };
  "service.restart": { params: { name: string }; result: null };
  "service.kill": { params: { name: string; signal?: string | number }; result: null };
  "service.create": { params: { name: string; config: string }; result: null };
  "service.delete": { params: { name: string }; result: null };
  "service.start_all": { params: Record<string, never>; result: string[] };
  "service.stop_all": { params: Record<string, never>; result: string[] };
  "service.delete_all": { params: Record<string, never>; result: string[] };
  "service.logs": { params: { name?: string; lines?: number; follow?: boolean }; result: LogLine[] };
  "events.subscribe": { params: Record<string, never>; result: null };
  "graph.get": { params: { name?: string }; result: GraphResult };
  "system.reload": { params: Record<string, never>; result: ReloadResult };
  "system.info": { params: Record<string, never>; result: SystemInfo };
  "system.health": { params: { names?: string[] }; result: HealthReport };
  "system.metrics": { params: Record<string, never>; result: string };
  "system.shutdown": { params: Record<string, never>; result: null };
  "system.reboot": { params: Record<string, never>; result: null };
  "system.poweroff": { params: Record<string, never>; result: null };
  "rpc.discover": { params: Record<string, never>; result: Record<string, unknown> };
}

export type MethodName = keyof Methods;
