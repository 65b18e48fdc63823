/**
 * `zinit reload`: what the server did with the re-read config, one line per group
 * (`added: a, b`), file errors one per line after it, so each can be grepped.
 */
import type { ReloadResult } from "../../sdk/protocol/types.ts";
import { paint } from "./color.ts";

export function renderReload(r: ReloadResult, opts: { color: boolean }): string {
  const p = paint(opts.color);
  const names = (list: readonly string[]) => (list.length > 0 ? list.join(", ") : "-");
  const restarted = r.changed.filter((c) => c.restarted).map((c) => c.name);
  const inPlace = r.changed.filter((c) => !c.restarted).map((c) => c.name);
  const lines = [
    `added:     ${names(r.added)}`,
    `removed:   ${names(r.removed)}`,
    `restarted: ${names(restarted)}`,
    `changed:   ${names(inPlace)}`,
    `unchanged: ${r.unchanged.length}`,
  ];
  if (r.errors.length > 0) {
    lines.push(p.red(`errors:    ${r.errors.length} (previous definitions kept)`));
    for (const e of r.errors) lines.push(`  ${e}`);
  } else {
    lines.push("errors:    0");
  }
  return lines.join("\n");
}
