/** The tui's frame renderer: pure text in, text out. */
import { describe, expect, test } from "bun:test";
import type { LogLine, ServiceSummary } from "../../../src/sdk/protocol/types.ts";
import { stripAnsi } from "../../../src/cli/render/color.ts";
import { HELP, fit, renderFrame, sanitize } from "../../../src/cli/tui/frame.ts";
import { formatBytes, formatPercent } from "../../../src/cli/tui/frame.ts";
import {
  appendLog,
  beginFilter,
  cycleSort,
  initialState,
  withConfirm,
  withCpuTime,
  withFilter,
  withHelp,
  withLogPane,
  withMessage,
  type TuiState,
} from "../../../src/cli/tui/state.ts";

const NOW = Date.parse("2024-05-01T12:00:00Z");

function svc(name: string, over: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    name,
    kind: "service",
    state: "running",
    reason: `started (pid 100)`,
    pid: 100,
    class: "user",
    status: "start",
    since: "2024-05-01T11:59:30Z",
    restarts: 0,
    health: null,
    ...over,
  };
}

function log(line: string, stream: LogLine["stream"] = "stdout", name = "web"): LogLine {
  return { name, stream, line, at: "2024-05-01T11:59:59.123Z" };
}

const frame = (state: TuiState, width = 120, height = 12, color = false) =>
  renderFrame(state, { width, height, color, nowMs: NOW }).split("\n");

describe("renderFrame", () => {
  test("an empty list: title, a note, and the keys at the bottom", () => {
    const lines = frame(initialState([]));
    expect(lines.length).toBe(12);
    expect(lines[0]).toBe("zinit  0 services  0 running  sort: name ↑");
    expect(lines[1]).toBe("  no services");
    expect(lines[11]).toBe(HELP);
  });

  test("the table: every service sorted, the selection marked with >", () => {
    const state = initialState([svc("web"), svc("db", { state: "failed", pid: null, reason: "exited with code 3", restarts: 2 })]);
    const lines = frame(state);
    expect(lines[0]).toBe("zinit  2 services  1 running  1 failed  sort: name ↑");
    expect(lines[1]).toMatch(/^ {2}NAME↑ +STATE +PID +UPTIME +RESTARTS +HEALTH +MEM +CPU +REASON$/);
    expect(lines[2]).toMatch(/^> db +failed +- +- +2 +- +- +- +exited with code 3$/);
    expect(lines[3]).toMatch(/^ {2}web +running +100 +30s +0 +- +- +- +started \(pid 100\)$/);
    const moved = frame({ ...state, selected: "web" });
    expect(moved[2]!.startsWith("  db")).toBe(true);
    expect(moved[3]!.startsWith("> web")).toBe(true);
  });

  test("no line is wider than the screen; a cut line ends in …", () => {
    const state = initialState([svc("a-very-long-service-name", { reason: "x".repeat(200) })]);
    for (const color of [false, true]) {
      const lines = frame(state, 40, 8, color);
      for (const l of lines) expect(Array.from(stripAnsi(l)).length).toBeLessThanOrEqual(40);
      expect(stripAnsi(lines[2]!)).toEndWith("…");
    }
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(fit("abc", 4)).toBe("abc");
    expect(fit("\u001b[32mabcdef\u001b[39m", 3)).toBe("\u001b[32mab\u001b[39m…\u001b[0m");
  });

  test("no more lines than the height; the selection is scrolled into view", () => {
    const names = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    const state = { ...initialState(names.map((n) => svc(n))), selected: "s25" };
    const lines = frame(state, 80, 10);
    expect(lines.length).toBe(10);
    expect(lines.some((l) => l.startsWith("> s25 "))).toBe(true);
    expect(lines[9]).toBe(HELP);
  });

  test("the log pane: the lower half, a rule naming the service, the newest lines that fit", () => {
    let state = withLogPane(initialState([svc("db"), svc("web")]), "web");
    state = { ...state, selected: "web" };
    const empty = frame(state, 60, 12);
    expect(empty[6]).toMatch(/^── logs: web ─+$/);
    expect(empty[6]!.length).toBe(60);
    expect(empty[7]).toBe("  (no output yet)");
    for (let i = 1; i <= 10; i++) state = appendLog(state, log(`line ${i}`, i === 10 ? "stderr" : "stdout"));
    state = appendLog(state, log("from another service", "stdout", "db"));
    const lines = frame(state, 60, 12);
    expect(lines.length).toBe(12);
    expect(lines[3]).toMatch(/^> web /);
    // body = 10 rows: table 5 (header + 2 rows + 2 blank), pane 5 (rule + 4 lines)
    expect(lines.slice(7, 11)).toEqual([
      "11:59:59 stdout| line 7",
      "11:59:59 stdout| line 8",
      "11:59:59 stdout| line 9",
      "11:59:59 stderr| line 10",
    ]);
    expect(lines[11]).toBe(fit(HELP, 60));
  });

  test("the last action's message is on the title line", () => {
    const state = withMessage(initialState([svc("web")]), "restart web: requested");
    expect(frame(state)[0]).toBe("zinit  1 services  1 running  sort: name ↑   restart web: requested");
  });

  test("colour only when asked; the selected row in reverse video", () => {
    const state = initialState([svc("web")]);
    expect(frame(state).join("\n")).not.toContain("\u001b");
    const coloured = frame(state, 60, 6, true);
    expect(coloured[2]).toStartWith("\u001b[7m> web");
    expect(coloured[2]).toContain("\u001b[32mrunning\u001b[39m");
  });

  test("what a service prints cannot move the cursor or change colours", () => {
    expect(sanitize("a\u001b[2J\u001b[31mred\u001b[0m\tb\r\u0007")).toBe("ared    b");
  });
});

describe("renderFrame: figures, filter, questions, help", () => {
  test("MEM and CPU show the figures when known, - otherwise", () => {
    let state = initialState([svc("web", { memory_bytes: 3 * 1024 * 1024 + 400 * 1024 } as Partial<ServiceSummary>), svc("db")]);
    state = withCpuTime(state, "web", 100, 1000, NOW - 2000);
    state = withCpuTime(state, "web", 100, 1500, NOW);
    const lines = frame(state);
    expect(lines[3]).toMatch(/^ {2}web +running +100 +30s +0 +- +3\.4M +25% +started/);
    expect(lines[2]).toMatch(/^> db +running +100 +30s +0 +- +- +- +started/);
  });

  test("a stopped service shows no health, whatever the list says", () => {
    const state = initialState([svc("web", { state: "inactive", pid: null, health: "passing" })]);
    expect(frame(state)[2]).toMatch(/^> web +inactive +- +- +0 +- /);
    expect(frame(initialState([svc("web", { health: "passing" })]))[2]).toMatch(/^> web +running +100 +30s +0 +passing /);
  });

  test("the filter line while typing; the title says how many are shown; no match says so", () => {
    const base = initialState([svc("web"), svc("db"), svc("worker")]);
    const typing = withFilter(beginFilter(base), "w");
    const lines = frame(typing);
    expect(lines[0]).toBe("zinit  3 services  3 running  sort: name ↑  filter: w (2 shown)");
    expect(lines.filter((l) => /^[> ] (web|worker|db) /.test(l)).map((l) => l.slice(2, 8).trim())).toEqual(["web", "worker"]);
    expect(lines[11]).toBe("/w▏  Enter keep  Esc clear");
    expect(frame(withFilter(base, "zzz"))[1]).toBe('  no service name contains "zzz"');
  });

  test("the sorted column is marked with its direction", () => {
    const state = cycleSort(cycleSort(cycleSort(initialState([svc("web")]))));
    expect(state.sort).toBe("memory");
    expect(frame(state)[0]).toContain("sort: memory ↓");
    expect(frame(state)[1]).toMatch(/ MEM↓ /);
  });

  test("a confirmation replaces the footer; the help replaces the table", () => {
    const base = initialState([svc("sshd", { class: "system" })]);
    expect(frame(withConfirm(base, { action: "stop", name: "sshd" }))[11]).toBe("stop system unit sshd? y confirms, any other key cancels");
    const help = frame(withHelp(base, true));
    expect(help[1]).toBe("  keys");
    expect(help.join("\n")).toContain("  /                    filter by name");
    expect(help[11]).toBe("any key closes the help");
  });
});

describe("figures", () => {
  test("bytes in binary units, percentages with one decimal under 10", () => {
    expect([0, 512, 2048, 1536 * 1024, 150 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual(["0B", "512B", "2K", "1.5M", "150M", "3G"]);
    expect([0, 0.25, 9.96, 12.4, 210].map(formatPercent)).toEqual(["0.0%", "0.3%", "10.0%", "12%", "210%"]);
  });
});
