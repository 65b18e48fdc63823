/**
 * The valibot schemas of a service file and a target file (reference: docs/configuration.md): which
 * sections and keys exist, their defaults, and the rules that tie keys together.
 * The output has every default filled but the two that depend on the file name
 * or on other sections (`name`, `restart`), which parse.ts fills.
 */
import * as v from "valibot";
import { describeValue } from "./issues.ts";
import {
  account,
  directory,
  isTable,
  environment,
  envFiles,
  exec,
  healthTargetProblem,
  integer,
  logFilePath,
  logKeep,
  name,
  readyFd,
  signal,
  table,
} from "./fields.ts";
import { resourcesSchema } from "./resources.ts";
import { splitExec } from "./split.ts";
import { DEFAULTS } from "./types.ts";

export { isValidName, nameProblem, NAME_MAX_LENGTH } from "./fields.ts";

// ---- [service] ---------------------------------------------------------------

const status = v.optional(v.picklist(["start", "stop", "ignore"]), DEFAULTS.status);
const serviceClass = v.optional(v.picklist(["user", "system"]), DEFAULTS.class);

const serviceSection = table({
  name: v.optional(name),
  exec,
  dir: v.optional(directory),
  oneshot: v.optional(v.boolean(), false),
  status,
  class: serviceClass,
  user: v.optional(account),
  group: v.optional(account),
  env: v.optional(environment, {}),
  env_file: v.optional(envFiles, []),
  ready_fd: v.optional(readyFd),
  critical: v.optional(v.boolean(), false),
});

// ---- [dependencies] ----------------------------------------------------------

const names = v.optional(v.array(name), []);

/** A name both conflicted with and required or wanted can never be satisfied. */
function conflictProblem(d: { requires: string[]; wants: string[]; conflicts: string[] }): string | undefined {
  const needed = new Set([...d.requires, ...d.wants]);
  const both = d.conflicts.find((n) => needed.has(n));
  return both === undefined ? undefined : `${describeValue(both)} is also in requires or wants`;
}

export const dependenciesSchema = v.pipe(
  table({ requires: names, after: names, wants: names, conflicts: names }),
  v.forward(
    v.partialCheck(
      [["requires"], ["wants"], ["conflicts"]],
      (d) => conflictProblem(d) === undefined,
      (issue) => conflictProblem(issue.input) ?? "",
    ),
    ["conflicts"],
  ),
);

// ---- [lifecycle] -------------------------------------------------------------

const lifecycleSchema = v.pipe(
  table({
    restart: v.optional(v.picklist(["always", "on-failure", "never"])),
    stop_signal: v.optional(signal, DEFAULTS.stop_signal),
    start_timeout_ms: v.optional(integer(0), DEFAULTS.start_timeout_ms),
    stop_timeout_ms: v.optional(integer(0), DEFAULTS.stop_timeout_ms),
    restart_delay_ms: v.optional(integer(0), DEFAULTS.restart_delay_ms),
    restart_delay_max_ms: v.optional(integer(0), DEFAULTS.restart_delay_max_ms),
    max_restarts: v.optional(integer(0), DEFAULTS.max_restarts),
    stability_period_ms: v.optional(integer(0), DEFAULTS.stability_period_ms),
  }),
  // Reported on the section, naming both keys: either one may be the one left at its default.
  v.partialCheck(
    [["restart_delay_ms"], ["restart_delay_max_ms"]],
    (l) => l.restart_delay_max_ms >= l.restart_delay_ms,
    (issue) =>
      `restart_delay_max_ms (${issue.input.restart_delay_max_ms}) must be at least restart_delay_ms (${issue.input.restart_delay_ms})`,
  ),
);

// ---- [health] ----------------------------------------------------------------

const healthSchema = v.pipe(
  table({
    type: v.picklist(["tcp", "http", "exec"]),
    target: v.string(),
    interval_ms: v.optional(integer(1), DEFAULTS.health_interval_ms),
    timeout_ms: v.optional(integer(1), DEFAULTS.health_timeout_ms),
    retries: v.optional(integer(1), DEFAULTS.health_retries),
  }),
  v.forward(
    v.partialCheck(
      [["type"], ["target"]],
      (h) => healthTargetProblem(h.type, h.target) === undefined,
      (issue) => healthTargetProblem(issue.input.type, issue.input.target) ?? "",
    ),
    ["target"],
  ),
  v.transform((h) => ({ ...h, argv: h.type === "exec" ? splitExec(h.target) : null })),
);

// ---- [logging] ---------------------------------------------------------------

const loggingSchema = table({
  buffer_lines: v.optional(integer(1), DEFAULTS.buffer_lines),
  forward: v.optional(v.boolean(), DEFAULTS.forward),
  file: v.optional(logFilePath),
  max_size: v.optional(integer(0), DEFAULTS.log_max_size),
  keep: v.optional(logKeep, DEFAULTS.log_keep),
});

// ---- whole files -------------------------------------------------------------

// A type alias, not an interface: valibot's check() wants a Record, and only an
// alias is one implicitly — the shipped .d.ts is checked by users' tsc too.
type OneshotView = {
  service: { oneshot: boolean; ready_fd?: number };
  lifecycle?: { restart?: string };
  health?: unknown;
};

/** At the top level a table (`[name]`) or an array of tables (`[[name]]`) is a section; anything else is a key. */
const unknownTopLevel = (_key: string, value: unknown) =>
  isTable(value) || (Array.isArray(value) && value.length > 0 && value.every(isTable)) ? "unknown section" : "unknown key";

/** A service file: `[service]` plus optional `[dependencies]`, `[lifecycle]`, `[health]`, `[logging]`, `[resources]`. */
export const serviceFileSchema = v.pipe(
  table(
    {
      service: serviceSection,
      dependencies: v.optional(dependenciesSchema, {}),
      lifecycle: v.optional(lifecycleSchema, {}),
      health: v.optional(healthSchema),
      logging: v.optional(loggingSchema, {}),
      resources: v.optional(resourcesSchema),
    },
    unknownTopLevel,
  ),
  // A oneshot's exit is its success: there is nothing running to probe.
  v.forward(
    v.partialCheck(
      [["service", "oneshot"]],
      (f: OneshotView) => !(f.service.oneshot && f.health !== undefined),
      "a oneshot service cannot have a [health] section",
    ),
    ["health"],
  ),
  // A oneshot is done when it exits; there is no "up" for it to announce.
  v.forward(
    v.partialCheck(
      [["service", "oneshot"], ["service", "ready_fd"]],
      (f: OneshotView) => !(f.service.oneshot && f.service.ready_fd !== undefined),
      "a oneshot service cannot have ready_fd: it is done when it exits",
    ),
    ["service", "ready_fd"],
  ),
  // restart = "always" is allowed on a oneshot: its exit 0 is
  // done, so "always" retries it only when it fails, like "on-failure".
);

/** A target file: `[target]` (name, status, class) and optional `[dependencies]`, nothing else. */
export const targetFileSchema = table(
  {
    target: table({ name: v.optional(name), status, class: serviceClass }),
    dependencies: v.optional(dependenciesSchema, {}),
  },
  () => "not allowed in a target file (only [target] and [dependencies])",
);

export type ServiceFile = v.InferOutput<typeof serviceFileSchema>;
export type TargetFile = v.InferOutput<typeof targetFileSchema>;
