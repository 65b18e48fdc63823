/**
 * Reads config directories into units. The only module of config/ with effects,
 * and synchronous on purpose: loading is a short burst at start and reload.
 * A bad file costs only itself: its issues are collected, the others still load.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseUnit } from "./parse.ts";
import type { ConfigIssue, LoadResult, ServiceClass, Unit } from "./types.ts";

export interface LoadOptions {
  /** Overrides every unit's `class`: the system directory's units are always "system". */
  forceClass?: "system";
}

export interface DirectorySource extends LoadOptions {
  dir: string;
}

/** Names of the service files in a listing: `*.toml`, but no dotfiles (editor swap and backup files). */
export function serviceFileNames(names: string[]): string[] {
  // Code-unit order, not locale order: the same on every machine.
  return names.filter((n) => n.endsWith(".toml") && !n.startsWith(".")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Parses every service file of `dir`, in name order. A missing directory is one issue naming it. */
export function loadDirectory(dir: string, opts: LoadOptions = {}): LoadResult {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    return { units: [], errors: [{ file: dir, path: "", message: `cannot read directory: ${reason(e)}` }] };
  }
  const units: Unit[] = [];
  const errors: ConfigIssue[] = [];
  for (const name of serviceFileNames(names)) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      errors.push({ file: name, path: "", message: `cannot read file: ${reason(e)}` });
      continue;
    }
    const result = parseUnit(text, file);
    if ("errors" in result) errors.push(...result.errors);
    else units.push(opts.forceClass ? withClass(result.unit, opts.forceClass) : result.unit);
  }
  return { units, errors };
}

/**
 * Loads several directories in the order given (the system directory first). A
 * name defined twice keeps its first definition; the later one is an issue.
 */
export function loadDirectories(dirs: DirectorySource[]): LoadResult {
  const byName = new Map<string, Unit>();
  const errors: ConfigIssue[] = [];
  for (const { dir, ...opts } of dirs) {
    const loaded = loadDirectory(dir, opts);
    errors.push(...loaded.errors);
    for (const unit of loaded.units) {
      const first = byName.get(unit.name);
      if (first) {
        const file = unit.file.slice(unit.file.lastIndexOf("/") + 1);
        errors.push({ file, path: "", message: `duplicate name "${unit.name}", also defined in ${first.file}` });
      } else {
        byName.set(unit.name, unit);
      }
    }
  }
  return { units: [...byName.values()], errors };
}

function withClass(unit: Unit, cls: ServiceClass): Unit {
  if (unit.kind === "target") {
    return { ...unit, config: { ...unit.config, target: { ...unit.config.target, class: cls } } };
  }
  return { ...unit, config: { ...unit.config, service: { ...unit.config.service, class: cls } } };
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
};

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code) return `${REASONS[code] ?? (e as Error).message} (${code})`;
  return e instanceof Error ? e.message : String(e);
}
