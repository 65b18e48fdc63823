/** Helpers of the reload scenarios (the server, status and event helpers are the health ones). */
import { existsSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tomlSection } from "../../helpers/units.ts";
import type { TestServer } from "../health/lib.ts";

export * from "../health/lib.ts";

export interface ReloadResult {
  added: string[];
  removed: string[];
  changed: { name: string; restarted: boolean }[];
  unchanged: string[];
  errors: string[];
}

/** A service file: `[service]` with `exec` (argv) and the extra lines given, then further sections. */
export function unit(exec: string[], serviceLines = "", more = ""): string {
  return `${tomlSection("service", { exec })}${serviceLines}\n${more}`;
}

export const SLEEP = ["sleep", "1000"];

export function write(s: TestServer, name: string, text: string): void {
  writeFileSync(join(s.configDir, `${name}.toml`), text);
}

export function remove(s: TestServer, name: string): void {
  unlinkSync(join(s.configDir, `${name}.toml`));
}

export function fileExists(s: TestServer, name: string): boolean {
  return existsSync(join(s.configDir, `${name}.toml`));
}

export function configFiles(s: TestServer): string[] {
  return readdirSync(s.configDir).sort();
}

export function reload(s: TestServer): Promise<ReloadResult> {
  return s.rpc("system.reload");
}

/** `changed` as a name -> restarted map, for order-free comparison. */
export function changedMap(r: ReloadResult): Record<string, boolean> {
  return Object.fromEntries(r.changed.map((c) => [c.name, c.restarted]));
}

/** The lines a service printed, from its log buffer. */
export async function logLines(s: TestServer, name: string): Promise<string[]> {
  const items = (await s.rpc("service.logs", { name, lines: 100000 })) as { line: string }[];
  return items.map((l) => l.line);
}
