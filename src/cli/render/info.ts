/** `zinit info`: the server's version, mode, pid, uptime and paths as a key/value block. */
import type { SystemInfo } from "../../sdk/protocol/types.ts";
import { formatDuration } from "./time.ts";

/** `enabled (PATH)`, with the controllers when some are missing, or `unavailable (REASON)`. */
function cgroupsLine(c: SystemInfo["cgroups"] | undefined): string {
  if (c === undefined) return "-";
  if (!c.enabled) return `unavailable (${c.reason ?? "unknown reason"})`;
  const all = ["cpu", "io", "memory", "pids"].every((x) => c.controllers.includes(x));
  return all ? `enabled (${c.path})` : `enabled (${c.path}; controllers: ${c.controllers.join(" ") || "none"})`;
}

export function renderInfo(i: SystemInfo): string {
  const rows: [string, string][] = [
    ["version", i.version],
    ["mode", i.mode],
    ["pid", String(i.pid)],
    ["uptime", formatDuration(i.uptime_ms)],
    ["started", i.started_at],
    ["config dir", i.paths.config_dir],
    ["system dir", i.paths.system_dir ?? "-"],
    ["socket", i.paths.socket],
    ["orphans", `${i.reaped_orphans} reaped`],
    ["cgroups", cgroupsLine(i.cgroups)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join("\n");
}
