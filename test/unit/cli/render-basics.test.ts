import { describe, expect, test } from "bun:test";
import { paint, stripAnsi, wantColor } from "../../../src/cli/render/color.ts";
import { renderTable } from "../../../src/cli/render/table.ts";
import { describeExit, formatDuration } from "../../../src/cli/render/time.ts";

describe("formatDuration", () => {
  // The two largest units, minutes and seconds zero-padded after a larger unit.
  test.each([
    [0, "0s"],
    [999, "0s"],
    [12_000, "12s"],
    [(3 * 60 + 12) * 1000, "3m12s"],
    [(3 * 60 + 5) * 1000, "3m05s"],
    [(2 * 3600 + 5 * 60 + 59) * 1000, "2h05m"],
    [(4 * 86400 + 3 * 3600 + 59 * 60) * 1000, "4d3h"],
    [-5000, "0s"],
  ])("%p ms -> %p", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("describeExit", () => {
  test("a code, a signal, nothing", () => {
    expect(describeExit({ code: 3, signal: null })).toBe("exit code 3");
    expect(describeExit({ code: null, signal: "SIGKILL" })).toBe("killed by SIGKILL");
    expect(describeExit({ code: 0, signal: null })).toBe("exit code 0");
    expect(describeExit(null)).toBe("-");
  });
});

describe("renderTable", () => {
  // Columns line up on the plain text whether or not the cells are coloured.
  test("aligned columns, no trailing blanks, same layout with colour", () => {
    const p = paint(true);
    const rows = [
      ["a", { text: "running", paint: p.green }, "1"],
      ["longer-name", { text: "failed", paint: p.red }, "12345"],
    ];
    const coloured = renderTable(["NAME", "STATE", "PID"], rows);
    const plain = renderTable(["NAME", "STATE", "PID"], rows.map((r) => r.map((c) => (typeof c === "string" ? c : c.text))));
    expect(coloured).toContain("\u001b[32mrunning\u001b[39m");
    expect(stripAnsi(coloured)).toBe(plain);
    expect(plain.split("\n")).toEqual([
      "NAME         STATE    PID",
      "a            running  1",
      "longer-name  failed   12345",
    ]);
  });

  test("without headers only the rows", () => {
    expect(renderTable([], [["x", "y"]])).toBe("x  y");
  });
});

describe("wantColor", () => {
  test("only on a terminal, never with NO_COLOR or TERM=dumb", () => {
    expect(wantColor(true, {})).toBe(true);
    expect(wantColor(false, {})).toBe(false);
    expect(wantColor(undefined, {})).toBe(false);
    expect(wantColor(true, { NO_COLOR: "1" })).toBe(false);
    expect(wantColor(true, { TERM: "dumb" })).toBe(false);
  });
});
