/**
 * One file's text to one validated Unit, or every problem found in it. The
 * steps: TOML syntax, the schema (types, values, unknown keys, cross-field
 * rules), then the checks that need the file name (name = stem, no self
 * dependency), then the defaults that depend on other fields.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import * as v from "valibot";
import { ZinitError } from "../errors.ts";
import { isTable } from "./fields.ts";
import { describeValue, toConfigIssue } from "./issues.ts";
import { nameProblem, serviceFileSchema, targetFileSchema, type ServiceFile, type TargetFile } from "./schema.ts";
import {
  formatIssue,
  type ConfigIssue,
  type Health,
  type ServiceConfig,
  type TargetConfig,
  type Unit,
  type UnitKind,
} from "./types.ts";

export type ParseResult = { unit: Unit } | { errors: ConfigIssue[] };

/**
 * Parses the text of a service or target file. `file` is its path or base name:
 * the unit's name is the file stem, issues are reported under the base name,
 * and `unit.file` keeps `file` as given.
 */
export function parseUnit(text: string, file: string): ParseResult {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const stem = base.endsWith(".toml") ? base.slice(0, -".toml".length) : base;
  return parseNamed(text, file, base, stem);
}

/**
 * Parses a service (or target) given as TOML text, for the SDK: `name` plays the
 * file stem; without it the file's own `name` key is used. Throws
 * ZinitError("invalid_config") with every issue in the message and in `data.issues`.
 */
export function parseService(tomlText: string, name?: string): Unit {
  const base = `${name ?? "<inline>"}.toml`;
  const result = parseNamed(tomlText, base, base, name);
  if ("errors" in result) {
    throw new ZinitError("invalid_config", result.errors.map(formatIssue).join("\n"), { issues: result.errors });
  }
  // Without a name the unit is named by its own `name` key; its file would be named so too.
  return name === undefined ? { ...result.unit, file: `${result.unit.name}.toml` } : result.unit;
}

/**
 * The unit's config in the nested shape of its TOML file, for status output. The
 * health argv is left out: it is derived from `health.target`, not written.
 */
export function effectiveConfig(unit: Unit): Record<string, unknown> {
  if (unit.kind === "target") return { ...unit.config };
  const c = unit.config;
  const health = c.health === null ? null : withoutArgv(c.health);
  // Sections in the order of the file, for a status output that reads like it.
  return { service: c.service, dependencies: c.dependencies, lifecycle: c.lifecycle, health, logging: c.logging, resources: c.resources };
}

function withoutArgv(health: Health): Omit<Health, "argv"> {
  const { argv: _derived, ...written } = health;
  return written;
}

function parseNamed(text: string, file: string, base: string, stem: string | undefined): ParseResult {
  const issue = (path: string, message: string): ConfigIssue => ({ file: base, path, message });
  let doc: Record<string, unknown>;
  try {
    // A BOM is what some editors on Windows put first; TOML itself does not allow it.
    doc = parseToml(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    if (e instanceof TomlError) return { errors: [issue("", tomlMessage(e))] };
    throw e;
  }

  const errors: ConfigIssue[] = [];
  const stemProblem = stem === undefined ? undefined : nameProblem(stem);
  if (stemProblem) errors.push(issue("", `file name ${describeValue(stem)} is not a valid name: ${stemProblem}`));

  const kind = kindOf(doc);
  if (typeof kind !== "string") return { errors: [...errors, issue("", kind.problem)] };

  const result = v.safeParse(kind === "service" ? serviceFileSchema : targetFileSchema, doc, { abortEarly: false });
  if (!result.success) errors.push(...result.issues.map((i) => toConfigIssue(base, i)));

  // Read from the raw document, so these are reported even when the schema failed.
  const section = doc[kind];
  const declared = isTable(section) && typeof section.name === "string" ? section.name : undefined;
  if (declared !== undefined && stem !== undefined && !nameProblem(declared) && declared !== stem) {
    errors.push(issue(`${kind}.name`, `must equal the file name ${describeValue(stem)}, got ${describeValue(declared)}`));
  }
  const name = stem ?? declared;
  if (name === undefined) errors.push(issue(`${kind}.name`, "missing required key (there is no file name to take it from)"));
  else errors.push(...selfDependencies(doc.dependencies, name).map(([path, msg]) => issue(path, msg)));

  if (errors.length > 0 || !result.success || name === undefined) return { errors };
  return {
    unit:
      kind === "service"
        ? { kind, name, file, config: serviceConfig(result.output as ServiceFile, name) }
        : { kind, name, file, config: targetConfig(result.output as TargetFile, name) },
  };
}

function kindOf(doc: Record<string, unknown>): UnitKind | { problem: string } {
  const service = Object.hasOwn(doc, "service");
  const target = Object.hasOwn(doc, "target");
  if (service && target) return { problem: "a file defines either a [service] or a [target], not both" };
  if (service) return "service";
  if (target) return "target";
  return { problem: "expected a [service] or a [target] section" };
}

/** smol-toml's message carries a code excerpt over several lines; keep the reason and the place. */
function tomlMessage(e: TomlError): string {
  const reason = (e.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
  return `TOML syntax error at line ${e.line}, column ${e.column}: ${reason}`;
}

const SELF_MESSAGES: Record<string, string> = {
  requires: "a unit cannot require itself",
  after: "a unit cannot be ordered after itself",
  wants: "a unit cannot want itself",
  conflicts: "a unit cannot conflict with itself",
};

function selfDependencies(deps: unknown, name: string): [string, string][] {
  if (!isTable(deps)) return [];
  const found: [string, string][] = [];
  for (const [key, message] of Object.entries(SELF_MESSAGES)) {
    const list = deps[key];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, index) => {
      if (entry === name) found.push([`dependencies.${key}.${index}`, message]);
    });
  }
  return found;
}

function serviceConfig(out: ServiceFile, name: string): ServiceConfig {
  const s = out.service;
  const l = out.lifecycle;
  return {
    service: {
      name,
      exec: s.exec,
      dir: s.dir ?? null,
      oneshot: s.oneshot,
      status: s.status,
      class: s.class,
      user: s.user ?? null,
      group: s.group ?? null,
      env: s.env,
      env_file: s.env_file,
      ready_fd: s.ready_fd ?? null,
      critical: s.critical,
    },
    dependencies: out.dependencies,
    lifecycle: {
      // A oneshot that exited 0 is done; restarting it by default would run it forever.
      restart: l.restart ?? (s.oneshot ? "never" : "always"),
      stop_signal: l.stop_signal,
      start_timeout_ms: l.start_timeout_ms,
      stop_timeout_ms: l.stop_timeout_ms,
      restart_delay_ms: l.restart_delay_ms,
      restart_delay_max_ms: l.restart_delay_max_ms,
      max_restarts: l.max_restarts,
      stability_period_ms: l.stability_period_ms,
    },
    health: out.health ?? null,
    logging: { ...out.logging, file: out.logging.file ?? null },
    resources: out.resources ?? null,
  };
}

function targetConfig(out: TargetFile, name: string): TargetConfig {
  return {
    target: { name, status: out.target.status, class: out.target.class },
    dependencies: out.dependencies,
  };
}
