/**
 * The one log format of the server and pid1: `[tag] message`, warnings and errors
 * marked `warn:`/`error:` and sent to stderr. consola's own reporters pick a style
 * from the environment (a TTY, TERM, CI), which made console and `docker logs`
 * lines differ from boot to boot; operators and scripts grep these lines.
 */
import { createConsola, type ConsolaInstance, type LogObject } from "consola";
import { format } from "node:util";

export const LOG_LEVELS: Record<string, number> = { error: 0, warn: 1, info: 3, debug: 4, trace: 5 };

const MARKED = new Set(["error", "fatal", "warn"]);

function write(obj: LogObject): void {
  const mark = MARKED.has(obj.type) ? `${obj.type === "fatal" ? "error" : obj.type}: ` : "";
  const line = `[${obj.tag || "zinit"}] ${mark}${format(...obj.args)}\n`;
  (obj.level <= 1 ? process.stderr : process.stdout).write(line);
}

export function createLogger(tag: string, level = "info"): ConsolaInstance {
  return createConsola({ level: LOG_LEVELS[level] ?? 3, reporters: [{ log: write }] }).withTag(tag);
}
