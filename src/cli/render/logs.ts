/** `zinit logs`: `TIME NAME stream| text`, the time as the server stamped it (ISO 8601). */
import type { LogLine } from "../../sdk/protocol/types.ts";
import { paint } from "./color.ts";

export function renderLogLine(l: LogLine, opts: { color: boolean }): string {
  const p = paint(opts.color);
  const stream = l.stream === "stderr" ? p.red("stderr|") : p.dim("stdout|");
  return `${p.dim(l.at)} ${p.cyan(l.name)} ${stream} ${l.line}`;
}
