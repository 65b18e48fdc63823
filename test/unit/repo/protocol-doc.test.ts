/**
 * docs/protocol.md is generated from the method and error tables; these tests
 * keep the committed file equal to what the tables say today, and check that the
 * generator leaves nothing of the tables out.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { DOC_PATH, REGENERATE, renderProtocolDoc } from "../../../scripts/gen-protocol-doc.ts";
import { ERROR_CODES } from "../../../src/sdk/errors.ts";
import { METHOD_TABLE, NOTIFICATIONS, SCHEMAS } from "../../../src/sdk/protocol/methods.ts";

const fresh = renderProtocolDoc();

test("docs/protocol.md is up to date with the method and error tables", () => {
  const committed = readFileSync(DOC_PATH, "utf8");
  if (committed !== fresh) {
    throw new Error(`docs/protocol.md is out of date with src/sdk/protocol/methods.ts or src/sdk/errors.ts: run ${REGENERATE} and commit the result`);
  }
});

test("every method, param, notification, shared type and error of the tables is in the reference", () => {
  for (const [name, spec] of Object.entries(METHOD_TABLE)) {
    expect(fresh).toContain(`\n### ${name}\n`);
    for (const param of Object.keys(spec.params)) expect(fresh).toContain(`| \`${param}\` |`);
  }
  for (const name of Object.keys(NOTIFICATIONS)) expect(fresh).toContain(`\n### ${name}\n`);
  for (const name of Object.keys(SCHEMAS)) expect(fresh).toContain(`\n### ${name}\n`);
  for (const [name, row] of Object.entries(ERROR_CODES)) expect(fresh).toContain(`| \`${name}\` | ${row.rpc} |`);
});

test("every link to a section of the reference has its section", () => {
  const headings = new Set(
    [...fresh.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-")),
  );
  const targets = [...fresh.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  expect(targets.length).toBeGreaterThan(20);
  expect(targets.filter((t) => !headings.has(t))).toEqual([]);
});
