/**
 * Service and target files as TOML text, for tests and benchmarks, and a config
 * directory filled with them. Values are written as JSON: a JSON string, number,
 * boolean or array of strings is valid TOML as it stands, so the text needs no
 * TOML writer.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export type TomlValue = string | number | boolean | string[];
export type TomlSection = Record<string, TomlValue>;

function tomlValue(v: TomlValue): string {
  return Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(", ")}]` : JSON.stringify(v);
}

/** One `[title]` table; "" when `body` is missing or empty. */
export function tomlSection(title: string, body: TomlSection | undefined): string {
  if (!body || Object.keys(body).length === 0) return "";
  const lines = Object.entries(body).map(([k, v]) => `${k} = ${tomlValue(v)}`);
  return `[${title}]\n${lines.join("\n")}\n`;
}

/** Tables in the order given, a blank line between them. */
export function unitFile(sections: Record<string, TomlSection | undefined>): string {
  return Object.entries(sections)
    .map(([title, body]) => tomlSection(title, body))
    .join("\n");
}

export interface ServiceSpec {
  service?: TomlSection;
  dependencies?: TomlSection;
  lifecycle?: TomlSection;
  health?: TomlSection;
  logging?: TomlSection;
  resources?: TomlSection;
}

/** A service file whose process is `sh -c script` (or the argv given); `spec` adds keys by table. */
export function service(exec: string | string[], spec: ServiceSpec = {}): string {
  const argv = typeof exec === "string" ? ["sh", "-c", exec] : exec;
  return unitFile({
    service: { exec: argv, ...spec.service },
    dependencies: spec.dependencies,
    lifecycle: spec.lifecycle,
    ...(spec.health ? { health: spec.health } : {}),
    logging: spec.logging,
    resources: spec.resources,
  });
}

/** A target file: `[target]` (with `extra` keys, if any) and its dependencies. */
export function target(deps: TomlSection, extra: TomlSection = {}): string {
  const head = Object.keys(extra).length === 0 ? "[target]\n" : tomlSection("target", extra);
  return `${head}\n${tomlSection("dependencies", deps)}`;
}

/** Writes each text to DIR/NAME.toml (NAME as given when it already ends in .toml). */
export function writeServices(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name.endsWith(".toml") ? name : `${name}.toml`), text);
}
