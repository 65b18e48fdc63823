import { describe, expect, test } from "bun:test";
import { renderServiceToml, tomlString } from "../../../src/cli/render/service-toml.ts";
import { parseService } from "../../../src/sdk/config/index.ts";

describe("create --exec: the TOML text", () => {
  test("minimal", () => {
    expect(renderServiceToml({ name: "web", exec: "/usr/bin/web --port 80", oneshot: false, requires: [], after: [], wants: [] })).toBe(
      '[service]\nname = "web"\nexec = "/usr/bin/web --port 80"\n',
    );
  });

  test("oneshot and dependencies", () => {
    expect(
      renderServiceToml({ name: "job", exec: "/bin/true", oneshot: true, requires: ["db"], after: ["a", "b"], wants: [] }),
    ).toBe('[service]\nname = "job"\nexec = "/bin/true"\noneshot = true\n\n[dependencies]\nrequires = ["db"]\nafter = ["a", "b"]\n');
  });

  test("strings are escaped", () => {
    expect(tomlString('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    expect(tomlString("tab\there\nnl\u0001")).toBe('"tab\\there\\nnl\\u0001"');
    expect(tomlString("ünïcode ✓")).toBe('"ünïcode ✓"');
  });

  // Whatever the user typed survives the trip through the server's own parser.
  test.each([
    "/bin/sleep 100",
    `sh -c 'echo "hello world" && exit 3'`,
    `printf '%s\\n' "a\\"b" back\\\\slash`,
    "echo $HOME ~ * ; | >",
    "echo tab\there",
  ])("round-trips through parseService: %p", (exec) => {
    const text = renderServiceToml({ name: "svc", exec, oneshot: true, requires: ["db"], after: ["log"], wants: ["m"] });
    const unit = parseService(text, "svc");
    expect(unit.kind).toBe("service");
    if (unit.kind !== "service") return;
    expect(unit.config.service.oneshot).toBe(true);
    expect(unit.config.dependencies.requires).toEqual(["db"]);
    expect(unit.config.dependencies.after).toEqual(["log"]);
    expect(unit.config.dependencies.wants).toEqual(["m"]);
    // The same words as the same string given directly in a file.
    const direct = parseService(`[service]\nexec = ${JSON.stringify(exec)}\n`, "svc");
    if (direct.kind !== "service") throw new Error("not a service");
    expect(unit.config.service.exec).toEqual(direct.config.service.exec);
  });

  test("a shell-quoted argument keeps its spaces", () => {
    const unit = parseService(
      renderServiceToml({ name: "s", exec: `sh -c 'echo "a b"'`, oneshot: false, requires: [], after: [], wants: [] }),
      "s",
    );
    if (unit.kind !== "service") throw new Error("not a service");
    expect(unit.config.service.exec).toEqual(["sh", "-c", 'echo "a b"']);
  });
});
