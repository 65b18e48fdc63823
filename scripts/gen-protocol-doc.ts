/**
 * Writes docs/protocol.md, the reference of the socket protocol, from the same
 * tables the server runs on: the OpenRPC document built from the method table
 * (methods, params, results, shared types, notifications) and the error table
 * (names, numbers, CLI exit statuses). Nothing in the reference is typed twice,
 * so it cannot drift from the code; test/unit/repo/protocol-doc.test.ts fails
 * when the file is older than the tables.
 *
 *   node_modules/.bin/bun scripts/gen-protocol-doc.ts          # rewrite docs/protocol.md
 *   node_modules/.bin/bun scripts/gen-protocol-doc.ts --check  # exit 1 when it is out of date
 *
 * It reads the tables defensively (by shape, not by every field name) so that a
 * new column in the error table or a new kind of schema shows up instead of
 * breaking the generator.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as errorsModule from "../src/sdk/errors.ts";
import * as framing from "../src/sdk/protocol/framing.ts";
import { METHOD_TABLE } from "../src/sdk/protocol/methods.ts";
import { buildOpenRpcDocument } from "../src/sdk/protocol/openrpc.ts";

export const DOC_PATH = join(import.meta.dir, "..", "docs", "protocol.md");
export const REGENERATE = "node_modules/.bin/bun scripts/gen-protocol-doc.ts";

type Schema = { [key: string]: unknown };

// ---------------------------------------------------------------------------
// JSON Schema fragments as short type expressions.

const anchor = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");

const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);
const code = (text: string) => `\`${text}\``;
/** A table cell: pipes escaped, newlines folded. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n+/g, " ");

function literal(value: unknown): string {
  return value === null ? "null" : JSON.stringify(value);
}

/** A type expression for `schema`, linking named types to their section; `cell` escapes it for a table. */
export function typeOf(schema: Schema | undefined): string {
  if (schema === undefined) return "any";
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    return `[${name}](#${anchor(name)})`;
  }
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(" | ");
  for (const key of ["oneOf", "anyOf"]) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((o) => typeOf(o as Schema)).join(" | ");
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === "string" ? [schema.type] : [];
  if (types.length === 0) return "any";
  return types.map((t) => singleType(t, schema)).join(" | ");
}

function singleType(type: string, schema: Schema): string {
  if (type === "array") {
    const inner = typeOf(schema.items as Schema | undefined);
    return inner.includes(" ") ? `array of (${inner})` : `${inner}[]`;
  }
  if (type === "object" && isObjectWithFields(schema)) {
    const fields = Object.entries(schema.properties as Record<string, Schema>).map(([k, v]) => `${k}: ${typeOf(v)}`);
    return `{ ${fields.join(", ")} }`;
  }
  if (type === "string" && schema.format === "date-time") return "string (ISO 8601 time)";
  return type;
}

function isObjectWithFields(schema: Schema): boolean {
  return typeof schema.properties === "object" && schema.properties !== null && Object.keys(schema.properties).length > 0;
}

/** Constraints a reader must know beyond the type: "≥ 1", "non-empty". */
function constraints(schema: Schema | undefined): string {
  if (!schema) return "";
  const out: string[] = [];
  if (typeof schema.minLength === "number" && schema.minLength > 0) out.push("non-empty");
  if (typeof schema.minimum === "number") out.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === "number") out.push(`≤ ${schema.maximum}`);
  for (const key of ["oneOf", "anyOf"]) {
    const options = schema[key];
    if (Array.isArray(options)) for (const o of options) out.push(constraints(o as Schema));
  }
  return out.filter(Boolean).join(", ");
}

function typeCell(schema: Schema | undefined): string {
  const more = constraints(schema);
  return more ? `${typeOf(schema)} (${more})` : typeOf(schema);
}

// ---------------------------------------------------------------------------
// The error table, read by shape.

interface ErrorRow {
  name: string;
  rpc: number;
  exit: number | undefined;
  description: string;
  wire: boolean | undefined;
}

/** The exported table whose rows carry a numeric `rpc`: the error table, whatever it is called. */
function errorRows(fallback: Record<string, { code: number; message: string }>): ErrorRow[] {
  for (const value of Object.values(errorsModule as Record<string, unknown>)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const rows = Object.entries(value as Record<string, unknown>);
    if (rows.length === 0 || !rows.every(([, r]) => typeof (r as { rpc?: unknown })?.rpc === "number")) continue;
    return rows.map(([name, r]) => {
      const row = r as { rpc: number; exit?: unknown; description?: unknown; message?: unknown; wire?: unknown };
      const described = row.description ?? row.message ?? fallback[name]?.message ?? "";
      return {
        name,
        rpc: row.rpc,
        exit: typeof row.exit === "number" ? row.exit : undefined,
        description: String(described),
        wire: typeof row.wire === "boolean" ? row.wire : undefined,
      };
    });
  }
  return Object.entries(fallback).map(([name, e]) => ({ name, rpc: e.code, exit: undefined, description: e.message, wire: true }));
}

// ---------------------------------------------------------------------------
// The document.

const VERSION_PLACEHOLDER = "0.0.0";

export function renderProtocolDoc(): string {
  const doc = buildOpenRpcDocument(VERSION_PLACEHOLDER);
  const maxLine = typeof framing.MAX_LINE_BYTES === "number" ? framing.MAX_LINE_BYTES : 1024 * 1024;
  const mib = maxLine % (1024 * 1024) === 0 ? `${maxLine / (1024 * 1024)} MiB` : `${maxLine} bytes`;
  const errors = errorRows(doc.components.errors as Record<string, { code: number; message: string }>);
  const out: string[] = [];
  const line = (text = "") => out.push(text);

  line("# Socket protocol reference");
  line();
  line(`<!-- Generated by scripts/gen-protocol-doc.ts from the method table (src/sdk/protocol/methods.ts)`);
  line(`     and the error table (src/sdk/errors.ts). Do not edit by hand: change the tables, then run`);
  line(`     ${REGENERATE} -->`);
  line();
  line("The zinit server is driven through a unix socket (by default `/run/zinit.sock`, see");
  line("[configuration.md](configuration.md#paths-and-environment-variables)). The `zinit` CLI,");
  line("its TUI and REPL, and the SDK's `ZinitClient` all speak this protocol; so can any");
  line("program that can open a unix socket.");
  line();
  line("## Transport");
  line();
  line("- [JSON-RPC 2.0](https://www.jsonrpc.org/specification), one JSON object per line");
  line("  (newline-delimited, UTF-8). Params are always an object of named params.");
  line("- Requests may be pipelined on one connection; answers carry the request's `id`.");
  line("  Batches (JSON arrays) are not supported: send one object per line.");
  line("- The socket file is created with mode 0600: only its owner (normally root) may connect.");
  line("- A line that is not valid JSON is answered with error -32700 and the connection stays usable.");
  line(`- A line longer than ${mib} (also one that never ends) is answered with error -32600 and the`);
  line("  connection is closed. Neither harms the server or other clients.");
  line("- After `events.subscribe`, or `service.logs` with `follow`, the server also sends");
  line("  [notifications](#notifications) on that connection until it closes.");
  line("- `rpc.discover` answers with the [OpenRPC](https://spec.open-rpc.org/) document of this");
  line("  API, built from the same tables as this page.");
  line();
  line("```");
  line('→ {"jsonrpc":"2.0","id":1,"method":"service.status","params":{"name":"web"}}');
  line('← {"jsonrpc":"2.0","id":1,"result":{"name":"web","kind":"service","state":"running",...}}');
  line('→ {"jsonrpc":"2.0","id":2,"method":"service.start","params":{"name":"nope"}}');
  const notFound = errors.find((e) => e.name === "not_found");
  if (notFound) {
    line(`← {"jsonrpc":"2.0","id":2,"error":{"code":${notFound.rpc},"message":"unknown service \\"nope\\"","data":{"name":"not_found"}}}`);
  }
  line("```");
  line();

  line("## Methods");
  line();
  line("| method | params | result | summary |");
  line("| --- | --- | --- | --- |");
  for (const m of doc.methods) {
    const params = m.params.map((p) => (p.required ? p.name : `${p.name}?`)).join(", ") || "—";
    line(`| [${code(m.name)}](#${anchor(m.name)}) | ${cell(params)} | ${cell(typeOf(m.result.schema as Schema))} | ${cell(m.summary)} |`);
  }
  line();
  for (const m of doc.methods) {
    line(`### ${m.name}`);
    line();
    line(`${m.summary}.${m.description ? ` ${m.description}` : ""}`);
    line();
    if (m.params.length === 0) {
      line("Params: none (`{}` or leave `params` out).");
    } else {
      line("| param | type | required | meaning |");
      line("| --- | --- | --- | --- |");
      for (const p of m.params) {
        line(`| ${code(p.name)} | ${cell(typeCell(p.schema as Schema))} | ${p.required ? "yes" : "no"} | ${cell(p.description)} |`);
      }
    }
    line();
    const result = m.result;
    // "null once accepted" already says the type.
    const says = typeOf(result.schema as Schema) === "null" && result.description.startsWith("null");
    line(says ? `Result: ${result.description}.` : `Result: ${typeOf(result.schema as Schema)} — ${result.description}.`);
    const notes = notificationsOf(m.name);
    if (notes.length > 0) line(`Then sends: ${notes.map((n) => `[${code(n)}](#${anchor(n)})`).join(", ")} notifications.`);
    line();
  }

  line("## Notifications");
  line();
  line("Messages without an `id`, sent by the server; nobody answers them.");
  line();
  for (const n of doc["x-notifications"]) {
    line(`### ${n.name}`);
    line();
    line(`${n.summary[0]?.toUpperCase() ?? ""}${n.summary.slice(1)}. Params: ${typeOf(n.params as Schema)}.`);
    line();
  }

  line("## Types");
  line();
  line("Shapes shared by several methods. Every field listed is always present (`null` where the type says so).");
  line();
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    line(`### ${name}`);
    line();
    const s = schema as Schema;
    if (isObjectWithFields(s)) {
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const fields = Object.entries(s.properties as Record<string, Schema>);
      // A meaning column only where the table describes some field.
      const described = fields.some(([, fs]) => typeof fs.description === "string");
      line(described ? "| field | type | meaning |" : "| field | type |");
      line(described ? "| --- | --- | --- |" : "| --- | --- |");
      for (const [field, fs] of fields) {
        const optional = required.has(field) ? "" : " (optional)";
        const meaning = described ? ` ${cell(typeof fs.description === "string" ? fs.description : "")} |` : "";
        line(`| ${code(field)}${optional} | ${cell(typeCell(fs))} |${meaning}`);
      }
    } else {
      line(`${typeOf(s)}${typeof s.description === "string" ? ` — ${s.description}` : ""}`);
    }
    line();
  }

  line("## Errors");
  line();
  line("An error answer is `{code, message, data}`. `message` is a sentence a person can act on.");
  line("`data.name` is the error's name from the table below, and `data` may carry more detail");
  line("(for an invalid config, the list of problems). Some numbers are shared by several names");
  line("(the JSON-RPC standard has one number for bad params and one for server-side failures),");
  line("so a client should decode by `data.name` first and by `code` only when the name is absent.");
  line("The CLI exits with the status in the last column.");
  line();
  const hasExit = errors.some((e) => e.exit !== undefined);
  const hasWire = errors.some((e) => e.wire !== undefined);
  line(`| name | code | meaning${hasWire ? " | sent by" : ""}${hasExit ? " | CLI exit" : ""} |`);
  line(`| --- | --- | ---${hasWire ? " | ---" : ""}${hasExit ? " | ---" : ""} |`);
  for (const e of errors) {
    const wire = hasWire ? ` | ${e.wire === false ? "the client only" : "the server"}` : "";
    const exit = hasExit ? ` | ${e.exit ?? ""}` : "";
    line(`| ${code(e.name)} | ${e.rpc} | ${cell(e.description)}${wire}${exit} |`);
  }
  line();
  return out.join("\n");
}

/**
 * The notifications a call makes the server send. The OpenRPC document lists
 * notifications apart from the methods; the method table says which call
 * enables which.
 */
function notificationsOf(method: string): string[] {
  const row = (METHOD_TABLE as Record<string, { notifications?: readonly string[] } | undefined>)[method];
  return [...(row?.notifications ?? [])];
}

if (import.meta.main) {
  const fresh = renderProtocolDoc();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(DOC_PATH, "utf8");
    } catch {}
    if (current !== fresh) {
      console.error(`docs/protocol.md is out of date with the method or error table; run ${REGENERATE}`);
      process.exit(1);
    }
  } else {
    writeFileSync(DOC_PATH, fresh);
    console.log(`wrote ${DOC_PATH}`);
  }
}
