/**
 * docs/configuration.md documents every key the config schema accepts: a key
 * added to src/sdk/config/schema.ts without a line in the reference fails here,
 * naming the section and the key. Keys are read from the valibot schemas
 * themselves, so this list never has to be kept by hand.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceFileSchema, targetFileSchema } from "../../../src/sdk/config/schema.ts";
import { DEFAULTS } from "../../../src/sdk/config/types.ts";
import { ROOT } from "../../helpers/paths.ts";

/** The parts of a valibot schema this walk looks at. */
type AnySchema = { entries?: Record<string, AnySchema>; wrapped?: AnySchema; pipe?: AnySchema[] };

/** The object schema inside optional() and pipe() wrappers, if there is one. */
function objectIn(schema: AnySchema | undefined): { entries: Record<string, AnySchema> } | undefined {
  if (!schema || typeof schema !== "object") return undefined;
  if (schema.entries) return { entries: schema.entries };
  if (schema.wrapped) return objectIn(schema.wrapped);
  for (const item of schema.pipe ?? []) {
    const found = objectIn(item);
    if (found) return found;
  }
  return undefined;
}

/** section -> keys, for a whole-file schema. */
function sectionsOf(schema: unknown): Map<string, string[]> {
  const top = objectIn(schema as AnySchema);
  if (!top) throw new Error("the file schema is no longer an object schema: teach objectIn the new shape");
  const out = new Map<string, string[]>();
  for (const [section, s] of Object.entries(top.entries)) out.set(section, Object.keys(objectIn(s)?.entries ?? {}));
  return out;
}

const doc = readFileSync(join(ROOT, "docs", "configuration.md"), "utf8");

/** The lines from the heading `title` to the next heading of any level (a `#` in a code block is no heading). */
function region(title: string): string {
  const lines = doc.split("\n");
  const start = lines.indexOf(title);
  if (start < 0) return "";
  let inCode = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i]!.startsWith("```")) inCode = !inCode;
    else if (!inCode && /^#{1,6} /.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join("\n");
}

test("every section and key of a service file is in docs/configuration.md", () => {
  const missing: string[] = [];
  for (const [section, keys] of sectionsOf(serviceFileSchema)) {
    const text = region(`### \`[${section}]\``);
    if (text === "") {
      missing.push(`[${section}] (no "### \`[${section}]\`" heading)`);
      continue;
    }
    for (const key of keys) if (!text.includes(`| \`${key}\` |`)) missing.push(`[${section}] ${key}`);
  }
  expect(missing).toEqual([]);
});

test("every section and key of a target file is in docs/configuration.md", () => {
  const text = region("## Target files");
  const missing: string[] = [];
  const serviceSections = sectionsOf(serviceFileSchema);
  for (const [section, keys] of sectionsOf(targetFileSchema)) {
    if (!text.includes(`[${section}]`)) missing.push(`[${section}]`);
    // A section both kinds share ([dependencies]) is documented once, with the service's.
    if (serviceSections.has(section)) continue;
    for (const key of keys) if (!text.includes(`\`${key}\``)) missing.push(`[${section}] ${key}`);
  }
  expect(missing).toEqual([]);
});

test("the defaults written in the reference are the schema's", () => {
  const rows: [string, unknown][] = [
    ["start_timeout_ms", DEFAULTS.start_timeout_ms],
    ["stop_timeout_ms", DEFAULTS.stop_timeout_ms],
    ["restart_delay_ms", DEFAULTS.restart_delay_ms],
    ["restart_delay_max_ms", DEFAULTS.restart_delay_max_ms],
    ["max_restarts", DEFAULTS.max_restarts],
    ["interval_ms", DEFAULTS.health_interval_ms],
    ["timeout_ms", DEFAULTS.health_timeout_ms],
    ["retries", DEFAULTS.health_retries],
    ["buffer_lines", DEFAULTS.buffer_lines],
  ];
  const wrong = rows.filter(([key, value]) => !new RegExp(`\\| \`${key}\` \\|[^|]*\\| \`${value}\``).test(doc));
  expect(wrong).toEqual([]);
});
