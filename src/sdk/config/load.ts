/**
 * Reads config directories into units. The only module of config/ with effects,
 * and synchronous on purpose: loading is a short burst at start and reload.
 * A bad file costs only itself: its issues are collected, the others still load.
 *
 * Nothing in a directory may block the server, whose event loop runs this: only
 * regular files (or symlinks to one) are opened. A FIFO, socket, device or
 * directory named `*.toml` is reported and skipped without being opened — opening
 * a FIFO for reading waits for a writer, and opening a device can act on it. The
 * check is repeated on the open descriptor (opened non-blocking), so a file
 * swapped for a FIFO between the two is caught too.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { parseUnit } from "./parse.ts";
import type { ConfigIssue, LoadResult, ServiceClass, Unit, UnreadableDir } from "./types.ts";

/** A service file larger than this is refused unread: reading it would stall the server. */
export const MAX_FILE_BYTES = 1024 * 1024;

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

/**
 * Parses every service file of `dir`, in name order. A directory that cannot be
 * listed is one issue naming it, and is listed in `unreadableDirs`.
 */
export function loadDirectory(dir: string, opts: LoadOptions = {}): LoadResult {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const issue: ConfigIssue = { file: dir, path: "", message: `cannot read directory: ${reason(e)}` };
    return { units: [], errors: [issue], unreadableDirs: [{ dir, code: errnoCode(e), issue }] };
  }
  const units: Unit[] = [];
  const errors: ConfigIssue[] = [];
  for (const name of serviceFileNames(names)) {
    const file = join(dir, name);
    const text = readServiceFile(file);
    if (typeof text !== "string") {
      errors.push({ file: name, path: "", message: text.problem });
      continue;
    }
    const result = parseUnit(text, file);
    if ("errors" in result) errors.push(...result.errors);
    else units.push(opts.forceClass ? withClass(result.unit, opts.forceClass) : result.unit);
  }
  return { units, errors };
}

/** The text of a service file, or why it was not read. Never blocks on a special file. */
export function readServiceFile(file: string): string | { problem: string } {
  let fd: number;
  try {
    // stat follows symlinks: a link to a regular file is a regular file.
    const notRegular = kindProblem(statSync(file));
    if (notRegular) return { problem: notRegular };
    // O_NONBLOCK: should the file have become a FIFO since the stat, the open
    // still returns at once; O_NOCTTY: a terminal never becomes ours.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return { problem: `cannot read file: ${reason(e)}` };
  }
  try {
    const notRegular = kindProblem(fstatSync(fd));
    if (notRegular) return { problem: notRegular };
    return readFileSync(fd, "utf8");
  } catch (e) {
    return { problem: `cannot read file: ${reason(e)}` };
  } finally {
    closeSync(fd);
  }
}

/** Why a file of these stats is not read, or undefined for a regular file of a sane size. */
function kindProblem(st: Stats): string | undefined {
  if (!st.isFile()) return `not a regular file (${fileKind(st)}); skipped`;
  if (st.size > MAX_FILE_BYTES) return `too large (${st.size} bytes, at most ${MAX_FILE_BYTES}); skipped`;
  return undefined;
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return "directory";
  if (st.isFIFO()) return "fifo";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  return "unknown type";
}

/**
 * Loads several directories in the order given (the system directory first). A
 * name defined twice keeps its first definition; the later one is an issue.
 */
export function loadDirectories(dirs: DirectorySource[]): LoadResult {
  const byName = new Map<string, Unit>();
  const errors: ConfigIssue[] = [];
  const unreadableDirs: UnreadableDir[] = [];
  for (const { dir, ...opts } of dirs) {
    const loaded = loadDirectory(dir, opts);
    errors.push(...loaded.errors);
    unreadableDirs.push(...(loaded.unreadableDirs ?? []));
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
  return { units: [...byName.values()], errors, unreadableDirs };
}

function withClass(unit: Unit, cls: ServiceClass): Unit {
  if (unit.kind === "target") {
    return { ...unit, config: { ...unit.config, target: { ...unit.config.target, class: cls } } };
  }
  return { ...unit, config: { ...unit.config, service: { ...unit.config.service, class: cls } } };
}

const REASONS = new Map([
  ["ENOENT", "no such file or directory"],
  ["EACCES", "permission denied"],
  ["ENOTDIR", "not a directory"],
  ["EISDIR", "is a directory"],
  ["ELOOP", "too many levels of symbolic links"],
]);

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function reason(e: unknown): string {
  const code = errnoCode(e);
  if (code) return `${REASONS.get(code) ?? (e as Error).message} (${code})`;
  return e instanceof Error ? e.message : String(e);
}
