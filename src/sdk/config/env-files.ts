/**
 * Reads the env files of a service (`env_file`) from disk. An effect, run at every
 * start of the service (so an edited file applies at the next start) and by
 * `zinit check`; the syntax itself is parsed by the pure dotenv.ts.
 *
 * The server's event loop runs this, synchronously, in the middle of a spawn, so
 * nothing here may block or take long: only regular files are read (opened
 * non-blocking, checked again on the open descriptor, as the config loader does),
 * and a file over MAX_ENV_FILE_BYTES is refused unread. An env file holds a few
 * variables; one of megabytes is a mistake (a log or a binary named by accident),
 * and reading it at every start would stall every other service.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { ZinitError } from "../errors.ts";
import { envFileEntry, parseDotenv } from "./dotenv.ts";
import type { ConfigIssue, Unit } from "./types.ts";

export const MAX_ENV_FILE_BYTES = 1024 * 1024;

/**
 * A start that failed on an env file. Unlike a missing program, the restart
 * policy applies to it: the file may well appear or be fixed before the next try.
 */
export class EnvFileError extends ZinitError {
  constructor(message: string, readonly path: string) {
    super("failed", message, { env_file: path });
  }
}

type FileText = { text: string } | { missing: true } | { problem: string };

function readText(path: string): FileText {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return { missing: true };
    return { problem: errnoWords(code, e) };
  }
  try {
    const st = fstatSync(fd);
    const problem = kindProblem(st);
    if (problem) return { problem };
    // One byte more than allowed tells a file that grew since the fstat.
    const buf = Buffer.allocUnsafe(Math.min(st.size, MAX_ENV_FILE_BYTES) + 1);
    let got = 0;
    for (let n: number; got < buf.length && (n = readSync(fd, buf, got, buf.length - got, null)) > 0; ) got += n;
    if (got > MAX_ENV_FILE_BYTES) return { problem: tooLarge(got) };
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(0, got)) };
    } catch {
      return { problem: "not UTF-8 text" };
    }
  } catch (e) {
    return { problem: errnoWords((e as { code?: string }).code, e) };
  } finally {
    closeSync(fd);
  }
}

function kindProblem(st: Stats): string | undefined {
  if (st.isDirectory()) return "is a directory";
  if (!st.isFile()) return "not a regular file";
  if (st.size > MAX_ENV_FILE_BYTES) return tooLarge(st.size);
  return undefined;
}

function tooLarge(size: number): string {
  return `too large (${size} bytes; an env file may have at most ${MAX_ENV_FILE_BYTES})`;
}

function errnoWords(code: string | undefined, e: unknown): string {
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a component of the path is not a directory";
  if (code === "ELOOP") return "too many symbolic links";
  return code ?? String((e as Error).message ?? e);
}

/**
 * The variables of `entries` (as written in `env_file`, "-" marking an optional
 * file), later files overriding earlier ones. Throws an EnvFileError naming the
 * file and, for a syntax error, the line: `env_file /etc/app.env: line 3: expected KEY=VALUE`.
 */
export function readEnvFiles(entries: readonly string[]): Record<string, string> {
  let env: Record<string, string> = {};
  for (const entry of entries) {
    const { path, optional } = envFileEntry(entry);
    const read = readText(path);
    if ("missing" in read) {
      if (optional) continue;
      throw new EnvFileError(`env_file ${path}: no such file`, path);
    }
    if ("problem" in read) throw new EnvFileError(`env_file ${path}: ${read.problem}`, path);
    const { vars, errors } = parseDotenv(read.text);
    const first = errors[0];
    if (first) throw new EnvFileError(`env_file ${path}: line ${first.line}: ${first.message}`, path);
    env = { ...env, ...vars };
  }
  return env;
}

/**
 * What `zinit check` says of the env files of `units`: every bad line of each file
 * that exists, and a file that exists but cannot be read. A missing file is not
 * an issue here: it may be created before the service starts (a missing required
 * file fails that start, naming it).
 */
export function envFileIssues(units: readonly Unit[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const unit of units) {
    if (unit.kind !== "service") continue;
    const file = unit.file.slice(unit.file.lastIndexOf("/") + 1);
    for (const entry of unit.config.service.env_file) {
      const { path } = envFileEntry(entry);
      const issue = (message: string) => issues.push({ file, path: "service.env_file", message: `${path}: ${message}` });
      const read = readText(path);
      if ("missing" in read) continue;
      if ("problem" in read) issue(read.problem);
      else for (const e of parseDotenv(read.text).errors) issue(`line ${e.line}: ${e.message}`);
    }
  }
  return issues;
}
