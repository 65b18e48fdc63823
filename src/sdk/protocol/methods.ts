/**
 * THE method table (rendered as docs/protocol.md): one entry per method of `Methods`, the only
 * place a method's params are described. The dispatcher validates params with the
 * valibot schemas below; the OpenRPC document is generated from the JSON Schema
 * descriptions beside them. `defineMethod` fails to compile when an entry's params
 * stop matching `Methods`, and the mapped type of `METHOD_TABLE` when a method is
 * missing or extra, so the table, the types and the document cannot drift apart.
 */
import * as v from "valibot";
import { SERVICE_STATES } from "../states.ts";
import type { MethodName, Methods } from "./types.ts";

/** A JSON Schema fragment, as embedded in the OpenRPC document. */
export type JsonSchema = { [key: string]: unknown };

/** One named parameter: how it is validated and how it is documented. */
export interface ParamSpec<T = unknown, R extends boolean = boolean> {
  required: R;
  description: string;
  /** What a wrong value is told it should have been: `expected ${expects}`. */
  expects: string;
  validator: v.GenericSchema<unknown, T>;
  schema: JsonSchema;
}

/** The result of a method, for the OpenRPC document. */
export interface ResultSpec {
  name: string;
  description: string;
  schema: JsonSchema;
}

/** One row of the table. */
export interface MethodSpec<M extends MethodName = MethodName> {
  name: M;
  summary: string;
  description?: string;
  /** Named params in documentation order. */
  params: Readonly<Record<string, ParamSpec>>;
  result: ResultSpec;
  /** Notification methods this call makes the server send on the same connection. */
  notifications?: readonly NotificationName[];
}

/** Notifications the server sends. */
export type NotificationName = "event" | "log";

// ---------------------------------------------------------------------------
// Shared JSON Schemas (OpenRPC `components.schemas`).

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const str: JsonSchema = { type: "string" };
const strOrNull: JsonSchema = { type: ["string", "null"] };
const names: JsonSchema = { type: "array", items: str };
const isoTime: JsonSchema = { type: "string", format: "date-time" };

function object(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: "object", properties, required: Object.keys(properties), ...extra };
}

/** `schema` with more properties that are documented but not required (fields added later). */
function withOptional(schema: JsonSchema, properties: Record<string, JsonSchema>): JsonSchema {
  return { ...schema, properties: { ...(schema.properties as Record<string, JsonSchema>), ...properties } };
}

const bytesOrNull: JsonSchema = { type: ["integer", "null"], minimum: 0 };
/** Read from /proc when asked, never polled. */
const memoryBytes: JsonSchema = { ...bytesOrNull, description: "RSS of the live processes of the service, summed; null without a process" };

/** What service.list and service.status both say of a unit. */
const unitFields: Record<string, JsonSchema> = {
  name: str,
  kind: ref("UnitKind"),
  state: ref("ServiceState"),
  reason: str,
  pid: { type: ["integer", "null"] },
  class: ref("ServiceClass"),
  status: ref("StartStatus"),
  since: isoTime,
  restarts: { type: "integer", minimum: 0 },
};

/** Every schema the methods refer to by `$ref`. */
export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ServiceState: { type: "string", enum: [...SERVICE_STATES] },
  UnitKind: { type: "string", enum: ["service", "target"] },
  ServiceClass: { type: "string", enum: ["user", "system"] },
  StartStatus: { type: "string", enum: ["start", "stop", "ignore"] },
  Dependencies: object({ requires: names, after: names, wants: names, conflicts: names }),
  ExitInfo: object({
    code: { type: ["integer", "null"] },
    signal: { type: ["string", "null"], description: 'a signal name such as "SIGKILL"' },
  }),
  HealthInfo: object({
    status: { type: "string", enum: ["passing", "failing", "unknown"] },
    checked_at: { type: ["string", "null"], format: "date-time" },
    error: strOrNull,
  }),
  ServiceSummary: withOptional(
    object({
      ...unitFields,
      health: { type: ["string", "null"], enum: ["passing", "failing", "unknown", null] },
    }),
    { memory_bytes: memoryBytes },
  ),
  ProcessInfo: object({
    pid: { type: "integer" },
    cmd: { type: "string", description: "the command line, or [comm] when it has none" },
  }),
  LogFileStatus: object({
    path: str,
    size: { type: "integer", minimum: 0, description: "bytes in the current file" },
    dropped: { type: "integer", minimum: 0, description: "lines not written: the queue was full or a write failed" },
    errors: { type: "integer", minimum: 0, description: "failed writes and opens since load" },
    error: { type: ["string", "null"], description: "the last failure; null once a write succeeds again" },
  }),
  ServiceStatus: withOptional(object({
    ...unitFields,
    health: { oneOf: [ref("HealthInfo"), { type: "null" }], description: "null without a health check or without a live process" },
    exit: { oneOf: [ref("ExitInfo"), { type: "null" }] },
    config: {
      type: "object",
      description: "the effective configuration, defaults filled in, nested by section as in the TOML file",
    },
    dependencies: ref("Dependencies"),
    dependents: names,
    file: { type: "string", description: "the service file" },
  }), {
    memory_bytes: memoryBytes,
    last_health: {
      oneOf: [ref("HealthInfo"), { type: "null" }],
      description: "the last check of a process that is gone (health is then null); null while a process is probed",
    },
    cpu_ms: { ...bytesOrNull, description: "CPU time (user + system) of the live processes and of the children they reaped, ms" },
    pids: { ...bytesOrNull, description: "how many live processes the service has" },
    processes: { type: "array", items: ref("ProcessInfo"), description: "the live processes of the service's process group" },
    log_file: { oneOf: [ref("LogFileStatus"), { type: "null" }], description: "file logging ([logging] file); null without it" },
  }),
  StateEvent: object({
    name: str,
    from: ref("ServiceState"),
    to: ref("ServiceState"),
    at: isoTime,
    reason: str,
    pid: { type: ["integer", "null"] },
  }),
  LogLine: object({
    name: str,
    stream: { type: "string", enum: ["stdout", "stderr"] },
    line: str,
    at: isoTime,
  }),
  GraphResult: object({
    nodes: {
      type: "array",
      items: object({ name: str, kind: ref("UnitKind"), state: ref("ServiceState") }),
    },
    edges: {
      type: "array",
      items: object({
        from: { type: "string", description: "the dependent" },
        to: { type: "string", description: "the dependency" },
        type: { type: "string", enum: ["requires", "after", "wants", "conflicts"] },
      }),
    },
    cycles: { type: "array", items: str },
    unknown: { type: "array", items: object({ from: str, to: str, type: str }) },
  }),
  SystemInfo: object({
    version: str,
    mode: { type: "string", enum: ["standalone", "container", "vm"] },
    pid: { type: "integer" },
    uptime_ms: { type: "integer", minimum: 0 },
    started_at: isoTime,
    paths: object({ config_dir: str, system_dir: strOrNull, socket: str }),
    reaped_orphans: { type: "integer", minimum: 0, description: "processes not spawned by zinit that it reaped (double-forked descendants, namespace orphans)" },
    cgroups: object({
      enabled: { type: "boolean", description: "services run in cgroups of their own (cgroup v2)" },
      path: { ...strOrNull, description: "zinit's cgroup, below which each service has its own; null when not enabled" },
      reason: { ...strOrNull, description: "why cgroups are not used; null when enabled" },
      controllers: { type: "array", items: str, description: "the controllers enabled for the services (of cpu, io, memory, pids)" },
    }),
  }),
  HealthReport: object({
    healthy: { type: "boolean", description: "true when every unit asked about passes" },
    units: {
      type: "array",
      items: object({
        name: str,
        kind: ref("UnitKind"),
        state: ref("ServiceState"),
        healthy: { type: "boolean", description: "running (a oneshot: exited 0) and its health check, if any, passing" },
        problem: { type: ["string", "null"], description: "why it does not pass; null when it does" },
      }),
    },
  }),
  ReloadResult: object({
    added: names,
    removed: names,
    changed: { type: "array", items: object({ name: str, restarted: { type: "boolean" } }) },
    unchanged: names,
    errors: { type: "array", items: str, description: "one line per file that failed to load" },
  }),
};

/** The params of each notification, for the OpenRPC document. */
export const NOTIFICATIONS: Readonly<Record<NotificationName, { summary: string; schema: JsonSchema }>> = {
  event: { summary: "a service changed state (after events.subscribe)", schema: ref("StateEvent") },
  log: { summary: "a service printed a line (after service.logs with follow)", schema: ref("LogLine") },
};

// ---------------------------------------------------------------------------
// Params.

function param<T, R extends boolean>(
  required: R,
  expects: string,
  validator: v.GenericSchema<unknown, T>,
  schema: JsonSchema,
  description: string,
): ParamSpec<T, R> {
  return { required, expects, validator, schema, description };
}

const nameParam = (description: string) =>
  param(
    true,
    "string",
    v.pipe(v.string(), v.minLength(1, "expected a non-empty string")),
    { type: "string", minLength: 1 },
    description,
  );

const signalParam = param(
  false,
  "string or number",
  v.union([
    v.pipe(v.string(), v.minLength(1, "expected a signal name such as TERM or SIGTERM")),
    v.pipe(v.number(), v.integer("expected an integer signal number"), v.minValue(1, "expected a signal number >= 1")),
  ]),
  { oneOf: [{ type: "string", minLength: 1 }, { type: "integer", minimum: 1 }] },
  'signal name with or without "SIG" ("TERM", "SIGTERM") or number; default SIGTERM',
);

// ---------------------------------------------------------------------------
// Compile-time agreement between a row's params and `Methods`.

type AnyParam = ParamSpec<unknown, boolean>;
type ValueOf<P> = P extends ParamSpec<infer T, boolean> ? T : never;
type ParamsOf<P extends Record<string, AnyParam>> = {
  [K in keyof P as P[K]["required"] extends true ? K : never]: ValueOf<P[K]>;
} & {
  [K in keyof P as P[K]["required"] extends true ? never : K]?: ValueOf<P[K]>;
};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// `Record<string, never>` (no params) has `string` keys; count that as none.
type KeysOf<T> = string extends keyof T ? never : keyof T;
// Optional keys make types mutually assignable even when one lacks a key, hence the key check.
type ParamsMatch<M extends MethodName, P extends Record<string, AnyParam>> =
  Same<ParamsOf<P>, Methods[M]["params"]> extends true
    ? Same<KeysOf<ParamsOf<P>>, KeysOf<Methods[M]["params"]>> extends true
      ? []
      : [error: `params of ${M} do not match Methods`]
    : [error: `params of ${M} do not match Methods`];

function defineMethod<M extends MethodName, P extends Record<string, AnyParam>>(
  name: M,
  spec: {
    summary: string;
    description?: string;
    params: P;
    result: ResultSpec;
    notifications?: readonly NotificationName[];
  },
  ..._check: ParamsMatch<M, P>
): MethodSpec<M> {
  return { name, ...spec };
}

const none = {} as const;
const nullResult = (description: string): ResultSpec => ({ name: "result", description, schema: { type: "null" } });
const namesResult = (description: string): ResultSpec => ({ name: "names", description, schema: names });

// ---------------------------------------------------------------------------
// The table.

/** Every method of the protocol, keyed by name. */
export const METHOD_TABLE: { readonly [M in MethodName]: MethodSpec<M> } = {
  "service.list": defineMethod("service.list", {
    summary: "List every service and target",
    params: none,
    result: { name: "services", description: "one summary per unit", schema: { type: "array", items: ref("ServiceSummary") } },
  }),
  "service.status": defineMethod("service.status", {
    summary: "Full status of one service or target",
    params: { name: nameParam("service or target name") },
    result: { name: "status", description: "state, reason, pid, exit, health, config, dependencies", schema: ref("ServiceStatus") },
  }),
  "service.start": defineMethod("service.start", {
    summary: "Start a service and what it requires",
    description: "Returns once the request is accepted; watch events or poll status to see it settle.",
    params: { name: nameParam("service or target name") },
    result: nullResult("null once accepted"),
  }),
  "service.stop": defineMethod("service.stop", {
    summary: "Stop a service and what requires it",
    params: { name: nameParam("service or target name") },
    result: nullResult("null once accepted"),
  }),
  "service.restart": defineMethod("service.restart", {
    summary: "Stop then start a service",
    params: { name: nameParam("service or target name") },
    result: nullResult("null once accepted"),
  }),
  "service.kill": defineMethod("service.kill", {
    summary: "Send a signal to a service's process group",
    params: { name: nameParam("service name"), signal: signalParam },
    result: nullResult("null once sent"),
  }),
  "service.create": defineMethod("service.create", {
    summary: "Write NAME.toml into the config directory and load it",
    params: {
      name: nameParam("name of the new service; the file is NAME.toml"),
      config: param(true, "string", v.string(), { type: "string" }, "the service file, as TOML text"),
    },
    result: nullResult("null once written and loaded"),
  }),
  "service.delete": defineMethod("service.delete", {
    summary: "Stop a service, unload it and remove its file",
    params: { name: nameParam("service or target name") },
    result: nullResult("null once removed"),
  }),
  "service.start_all": defineMethod("service.start_all", {
    summary: "Start every service (system class skipped)",
    params: none,
    result: namesResult("the names affected"),
  }),
  "service.stop_all": defineMethod("service.stop_all", {
    summary: "Stop every service (system class skipped)",
    params: none,
    result: namesResult("the names affected"),
  }),
  "service.delete_all": defineMethod("service.delete_all", {
    summary: "Delete every service (system class skipped)",
    params: none,
    result: namesResult("the names affected"),
  }),
  "service.logs": defineMethod("service.logs", {
    summary: "Buffered output lines, then (with follow) new ones as notifications",
    description: "With follow, the connection then receives `log` notifications until it closes.",
    params: {
      name: param(false, "string", v.pipe(v.string(), v.minLength(1, "expected a non-empty string")), { type: "string", minLength: 1 }, "one service; all services when absent"),
      lines: param(
        false,
        "non-negative integer",
        v.pipe(v.number(), v.integer("expected a non-negative integer"), v.minValue(0, "expected a non-negative integer")),
        { type: "integer", minimum: 0 },
        "how many buffered lines to return, newest last; all when absent",
      ),
      follow: param(false, "boolean", v.boolean(), { type: "boolean" }, "keep the connection and send new lines as `log` notifications"),
    },
    result: { name: "lines", description: "the buffered lines, oldest first", schema: { type: "array", items: ref("LogLine") } },
    notifications: ["log"],
  }),
  "events.subscribe": defineMethod("events.subscribe", {
    summary: "Receive every state change on this connection as `event` notifications",
    params: none,
    result: nullResult("null; the notifications follow"),
    notifications: ["event"],
  }),
  "graph.get": defineMethod("graph.get", {
    summary: "The dependency graph: nodes and edges",
    params: {
      name: param(false, "string", v.pipe(v.string(), v.minLength(1, "expected a non-empty string")), { type: "string", minLength: 1 }, "only this unit and what it depends on; the whole graph when absent"),
    },
    result: { name: "graph", description: "nodes, edges, cycles and unknown references", schema: ref("GraphResult") },
  }),
  "system.reload": defineMethod("system.reload", {
    summary: "Re-read the config directory and apply the differences",
    params: none,
    result: { name: "changes", description: "added, removed, changed, unchanged, errors", schema: ref("ReloadResult") },
  }),
  "system.info": defineMethod("system.info", {
    summary: "Version, mode, pid, uptime and paths of the server",
    params: none,
    result: { name: "info", description: "about the running server", schema: ref("SystemInfo") },
  }),
  "system.health": defineMethod("system.health", {
    summary: "Whether the named units (default: every unit with status = \"start\") are up and healthy",
    description:
      "A unit passes when it is running (a oneshot: exited 0) and its health check, if any, is passing. " +
      "Unknown names are refused together (not_found). What `zinit health` asks, for Kubernetes exec probes and Docker HEALTHCHECK.",
    params: {
      names: param(
        false,
        "array of non-empty strings",
        v.array(v.pipe(v.string(), v.minLength(1, "expected non-empty names"))),
        { type: "array", items: { type: "string", minLength: 1 } },
        'units to judge; every unit with status = "start" when absent or empty',
      ),
    },
    result: { name: "report", description: "one verdict per unit, and whether all pass", schema: ref("HealthReport") },
  }),
  "system.metrics": defineMethod("system.metrics", {
    summary: "The server's metrics in the Prometheus text format",
    description:
      "The same text as GET /metrics on the --metrics listener, computed now; for a node_exporter textfile collector when no listener is wanted.",
    params: none,
    result: { name: "text", description: "Prometheus text exposition format 0.0.4", schema: { type: "string" } },
  }),
  "system.shutdown": defineMethod("system.shutdown", {
    summary: "Ordered shutdown of every service, then the server exits",
    params: none,
    result: nullResult("null once the shutdown has begun"),
  }),
  "system.reboot": defineMethod("system.reboot", {
    summary: "Ordered shutdown, then reboot (VM mode; in other modes the server exits)",
    params: none,
    result: nullResult("null once the shutdown has begun"),
  }),
  "system.poweroff": defineMethod("system.poweroff", {
    summary: "Ordered shutdown, then power off (VM mode; in other modes the server exits)",
    params: none,
    result: nullResult("null once the shutdown has begun"),
  }),
  "rpc.discover": defineMethod("rpc.discover", {
    summary: "The OpenRPC document of this API",
    params: none,
    result: { name: "document", description: "OpenRPC 1.2.6", schema: { type: "object" } },
  }),
};

/** The method names in table order. */
export const METHOD_NAMES = Object.keys(METHOD_TABLE) as MethodName[];

/** True when `name` is a method of the protocol. */
export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_TABLE, name);
}

// ---------------------------------------------------------------------------
// Validation.

/** The outcome of {@link validateParams}. */
export type ParamsCheck<M extends MethodName> =
  | { ok: true; value: Methods[M]["params"] }
  /** `message` reads like `service.status: params.name: expected string`. */
  | { ok: false; message: string };

const schemaCache = new Map<MethodName, v.GenericSchema>();

function objectSchema(method: MethodName): v.GenericSchema {
  let schema = schemaCache.get(method);
  if (!schema) {
    const entries: Record<string, v.GenericSchema> = {};
    for (const [key, spec] of Object.entries(METHOD_TABLE[method].params)) {
      entries[key] = spec.required ? spec.validator : v.optional(spec.validator);
    }
    // Unknown keys are dropped, not refused, so an older server still serves a
    // newer client that sends an extra, optional param.
    schema = v.object(entries);
    schemaCache.set(method, schema);
  }
  return schema;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Validates the `params` member of a request for `method`. Absent (or null)
 * params mean `{}`; anything but an object is refused. Unknown keys are dropped.
 */
export function validateParams<M extends MethodName>(method: M, params: unknown): ParamsCheck<M> {
  const raw = params ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, message: `${method}: params: expected an object of named params, got ${describe(raw)}` };
  }
  const result = v.safeParse(objectSchema(method), raw);
  if (result.success) return { ok: true, value: result.output as Methods[M]["params"] };
  const issue = result.issues[0];
  const key = issue.path?.[0]?.key;
  const spec = typeof key === "string" ? METHOD_TABLE[method].params[key] : undefined;
  if (!spec) return { ok: false, message: `${method}: params: ${issue.message}` };
  const value = (raw as Record<string, unknown>)[key as string];
  let text: string;
  if (value === undefined) text = `expected ${spec.expects}`;
  else if (issue.kind === "validation") text = issue.message;
  else text = `expected ${spec.expects}, got ${describe(value)}`;
  return { ok: false, message: `${method}: params.${key as string}: ${text}` };
}
