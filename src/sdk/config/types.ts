/**
 * The validated, defaults-filled definition of one service or target, in the
 * shape of its TOML file (sections and snake_case keys), so that `service.status`
 * can report `config` as the user wrote it. `exec` is always the split argv.
 * Produced only by `parseUnit`; nothing downstream re-validates it.
 */
import type { Resources } from "./resources.ts";

export type { Resources };
export type RestartPolicy = "always" | "on-failure" | "never";
export type StartStatus = "start" | "stop" | "ignore";
export type ServiceClass = "user" | "system";
export type HealthType = "tcp" | "http" | "exec";
export type UnitKind = "service" | "target";

export interface Dependencies {
  requires: string[];
  after: string[];
  wants: string[];
  conflicts: string[];
}

export interface ServiceSection {
  name: string;
  exec: string[];
  dir: string | null;
  oneshot: boolean;
  status: StartStatus;
  class: ServiceClass;
  user: string | null;
  group: string | null;
  env: Record<string, string>;
  /** env files as written ("-" prefix: optional), read at every start */
  env_file: string[];
  /** fd number on which the service announces readiness with a newline, or null */
  ready_fd: number | null;
  /** when it ends failed, zinit goes down with it */
  critical: boolean;
}

export interface Lifecycle {
  restart: RestartPolicy;
  stop_signal: string; // canonical "SIGTERM" form
  start_timeout_ms: number;
  stop_timeout_ms: number;
  restart_delay_ms: number;
  restart_delay_max_ms: number;
  max_restarts: number;
  /** running this long resets the consecutive-restart count */
  stability_period_ms: number;
}

export interface Health {
  type: HealthType;
  /** tcp: "host:port"; http: URL; exec: the command as given */
  target: string;
  /** exec only: the split argv of `target` */
  argv: string[] | null;
  interval_ms: number;
  timeout_ms: number;
  retries: number;
}

export interface Logging {
  buffer_lines: number;
  forward: boolean;
  /** also append every line to this file (absolute path) */
  file: string | null;
  /** bytes; rotate before the file would pass this (0 = never rotate) */
  max_size: number;
  /** rotated files kept: FILE.1 (newest) ... FILE.keep */
  keep: number;
}

export interface ServiceConfig {
  service: ServiceSection;
  dependencies: Dependencies;
  lifecycle: Lifecycle;
  health: Health | null;
  logging: Logging;
  /** limits written into the service's cgroup; null without a [resources] section */
  resources: Resources | null;
}

/** A target is a service without a process: only a name, status, class and dependencies. */
export interface TargetConfig {
  target: { name: string; status: StartStatus; class: ServiceClass };
  dependencies: Dependencies;
}

export type Unit =
  | { kind: "service"; name: string; file: string; config: ServiceConfig }
  | { kind: "target"; name: string; file: string; config: TargetConfig };

/** One problem in one file: `web.toml: lifecycle.restart: expected ..., got ...`. */
export interface ConfigIssue {
  file: string; // base name, e.g. "web.toml"
  path: string; // key path, e.g. "lifecycle.restart"; "" for whole-file problems
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

export interface LoadResult {
  units: Unit[];
  /** every problem found; an unreadable directory is one issue, under its path */
  errors: ConfigIssue[];
  /**
   * The directories that could not be listed (their issue is in `errors` too).
   * A reload must not read their absence as "every file deleted".
   */
  unreadableDirs?: UnreadableDir[];
}

export interface UnreadableDir {
  dir: string;
  /** the errno code, e.g. "ENOENT" (missing), "EACCES", "ENOTDIR" */
  code: string | undefined;
  /** the issue reported for it: `DIR: cannot read directory: ...` */
  issue: ConfigIssue;
}

export const DEFAULTS = {
  status: "start" as StartStatus,
  class: "user" as ServiceClass,
  stop_signal: "SIGTERM",
  start_timeout_ms: 30_000,
  stop_timeout_ms: 10_000,
  restart_delay_ms: 1_000,
  restart_delay_max_ms: 60_000,
  max_restarts: 0,
  stability_period_ms: 10_000,
  health_interval_ms: 10_000,
  health_timeout_ms: 5_000,
  health_retries: 3,
  buffer_lines: 1_000,
  forward: true,
  log_max_size: 10_485_760,
  log_keep: 5,
} as const;

export function unitDependencies(unit: Unit): Dependencies {
  return unit.config.dependencies;
}
export function unitStatus(unit: Unit): StartStatus {
  return unit.kind === "service" ? unit.config.service.status : unit.config.target.status;
}
export function unitClass(unit: Unit): ServiceClass {
  return unit.kind === "service" ? unit.config.service.class : unit.config.target.class;
}
