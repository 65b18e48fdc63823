import { expect, test } from "bun:test";
import { METHOD_NAMES, METHOD_TABLE } from "../../../src/sdk/protocol/methods.ts";
import { buildOpenRpcDocument } from "../../../src/sdk/protocol/openrpc.ts";
import type { MethodName } from "../../../src/sdk/protocol/types.ts";

// `Methods` is a type; this literal fails to compile when a key is added to or
// removed from it, which is what ties the runtime check below to the type.
const METHODS_KEYS: Record<MethodName, true> = {
  "service.list": true,
  "service.status": true,
  "service.start": true,
  "service.stop": true,
  "service.restart": true,
  "service.kill": true,
  "service.create": true,
  "service.delete": true,
  "service.start_all": true,
  "service.stop_all": true,
  "service.delete_all": true,
  "service.logs": true,
  "events.subscribe": true,
  "graph.get": true,
  "system.reload": true,
  "system.info": true,
  "system.health": true,
  "system.metrics": true,
  "system.shutdown": true,
  "system.reboot": true,
  "system.poweroff": true,
  "rpc.discover": true,
};

test("the OpenRPC methods are exactly the table's and the Methods type's", () => {
  const doc = buildOpenRpcDocument("9.9.9");
  const documented = doc.methods.map((m) => m.name).sort();
  expect(documented).toEqual([...METHOD_NAMES].sort());
  expect(documented).toEqual(Object.keys(METHODS_KEYS).sort());
});

test("the document is OpenRPC 1.2.6 with params and results", () => {
  const doc = buildOpenRpcDocument("9.9.9");
  expect(doc.openrpc).toBe("1.2.6");
  expect(doc.info.version).toBe("9.9.9");
  expect(doc.info.title).toBe("zinit");
  const kill = doc.methods.find((m) => m.name === "service.kill")!;
  expect(kill.params.map((p) => [p.name, p.required])).toEqual([
    ["name", true],
    ["signal", false],
  ]);
  for (const m of doc.methods) {
    expect(m.params.map((p) => p.name)).toEqual(Object.keys(METHOD_TABLE[m.name as MethodName].params));
    expect(m.result.schema).toBeDefined();
  }
  expect(doc["x-notifications"].map((n) => n.name).sort()).toEqual(["event", "log"]);
});

// A dangling $ref would make the document useless to generators.
test("every $ref points at a defined schema or error", () => {
  const doc = buildOpenRpcDocument("1");
  const refs: string[] = [];
  JSON.stringify(doc, (key, value) => {
    if (key === "$ref") refs.push(value as string);
    return value;
  });
  expect(refs.length).toBeGreaterThan(0);
  for (const r of refs) {
    const [, section, name] = /^#\/components\/(schemas|errors)\/(.+)$/.exec(r) ?? [];
    expect(section).toBeDefined();
    const table = section === "schemas" ? doc.components.schemas : doc.components.errors;
    expect(table[name!]).toBeDefined();
  }
});

test("the document survives a JSON round trip unchanged", () => {
  const doc = buildOpenRpcDocument("1");
  expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
});
