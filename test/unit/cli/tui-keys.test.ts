/** The tui's keys and state steps: pure. */
import { describe, expect, test } from "bun:test";
import type { ServiceSummary } from "../../../src/sdk/protocol/types.ts";
import { keyToAction, parseKeys } from "../../../src/cli/tui/keys.ts";
import {
  MAX_LOG_LINES,
  appendLog,
  applyEvent,
  initialState,
  beginFilter,
  cycleSort,
  endFilter,
  moveSelection,
  visibleServices,
  withConfirm,
  withCpuTime,
  withFilter,
  withHelp,
  withLogPane,
  withServices,
} from "../../../src/cli/tui/state.ts";

function svc(name: string, over: Partial<ServiceSummary> = {}): ServiceSummary {
  return { name, kind: "service", state: "running", reason: "", pid: 1, class: "user", status: "start", since: "2024-05-01T00:00:00Z", restarts: 0, health: null, ...over };
}

const three = initialState([svc("c"), svc("a"), svc("b")]);

describe("parseKeys", () => {
  test("characters, arrows (both cursor modes), page and home/end keys, Ctrl-C", () => {
    expect(parseKeys("jk")).toEqual(["j", "k"]);
    expect(parseKeys("\u001b[A\u001bOB")).toEqual(["up", "down"]);
    expect(parseKeys("\u001b[5~\u001b[6~\u001b[H\u001b[F")).toEqual(["pgup", "pgdn", "home", "end"]);
    expect(parseKeys("\u0003")).toEqual(["ctrl-c"]);
  });

  test("an unknown escape sequence is one key, not letters; a lone ESC is esc", () => {
    expect(parseKeys("\u001b[1;5Cq")).toEqual(["unknown", "q"]);
    expect(parseKeys("\u001b")).toEqual(["esc"]);
  });
});

describe("keyToAction", () => {
  test("movement and quitting", () => {
    expect(keyToAction("up", three)).toEqual({ type: "move", delta: -1 });
    expect(keyToAction("k", three)).toEqual({ type: "move", delta: -1 });
    expect(keyToAction("down", three)).toEqual({ type: "move", delta: 1 });
    expect(keyToAction("j", three)).toEqual({ type: "move", delta: 1 });
    expect(keyToAction("q", three)).toEqual({ type: "quit" });
    expect(keyToAction("ctrl-c", three)).toEqual({ type: "quit" });
  });

  test("s, S, r act on the selected service; l toggles the log pane", () => {
    expect(three.selected).toBe("a");
    expect(keyToAction("s", three)).toEqual({ type: "start", name: "a" });
    expect(keyToAction("S", three)).toEqual({ type: "stop", name: "a" });
    expect(keyToAction("r", three)).toEqual({ type: "restart", name: "a" });
    expect(keyToAction("l", three)).toEqual({ type: "logs" });
  });

  test("service keys do nothing with nothing selected; unbound keys do nothing", () => {
    const empty = initialState([]);
    expect(keyToAction("s", empty)).toBeNull();
    expect(keyToAction("l", empty)).toBeNull();
    expect(keyToAction("q", empty)).toEqual({ type: "quit" });
    expect(keyToAction("x", three)).toBeNull();
  });
});

describe("state", () => {
  test("the rows are sorted by name and the first one selected", () => {
    expect(visibleServices(three).map((s) => s.name)).toEqual(["a", "b", "c"]);
    expect(three.selected).toBe("a");
  });

  test("the selection moves and stops at either end", () => {
    expect(moveSelection(three, 1).selected).toBe("b");
    expect(moveSelection(three, -1).selected).toBe("a");
    expect(moveSelection(three, 10).selected).toBe("c");
    expect(moveSelection(three, Infinity).selected).toBe("c");
    expect(moveSelection(moveSelection(three, 2), -Infinity).selected).toBe("a");
    expect(moveSelection(initialState([]), 1).selected).toBeUndefined();
  });

  test("a new list keeps the selection by name, or falls back to the first", () => {
    const onB = moveSelection(three, 1);
    expect(withServices(onB, [svc("0"), svc("b")], 0).selected).toBe("b");
    expect(withServices(onB, [svc("y"), svc("x")], 0).selected).toBe("x");
    expect(withServices(onB, [], 0).selected).toBeUndefined();
  });

  test("an event updates state, reason, pid and since of its service", () => {
    const next = applyEvent(three, { name: "b", from: "running", to: "failed", at: "2024-05-01T01:00:00Z", reason: "exited with code 1", pid: null });
    expect(next.services.find((s) => s.name === "b")).toMatchObject({ name: "b", state: "failed", reason: "exited with code 1", pid: null, since: "2024-05-01T01:00:00Z" });
    expect(next.services.find((s) => s.name === "a")).toBe(three.services.find((s) => s.name === "a")!);
  });

  test("the log pane keeps its service's lines only, at most MAX_LOG_LINES", () => {
    let s = withLogPane(three, "a");
    s = appendLog(s, { name: "b", stream: "stdout", line: "not mine", at: "" });
    expect(s.logs!.lines).toEqual([]);
    for (let i = 0; i < MAX_LOG_LINES + 3; i++) s = appendLog(s, { name: "a", stream: "stdout", line: `l${i}`, at: "" });
    expect(s.logs!.lines.length).toBe(MAX_LOG_LINES);
    expect(s.logs!.lines[0]!.line).toBe("l3");
    expect(withLogPane(s, null).logs).toBeNull();
  });
});

describe("keys in their modes", () => {
  test("Enter, Backspace, Home/End in the other cursor mode are named", () => {
    expect(parseKeys("\r\u007f\b\u001bOH\u001bOF")).toEqual(["enter", "backspace", "backspace", "home", "end"]);
  });

  test("/ opens the filter; letters then type (j and q too), Backspace deletes, Enter keeps, Esc clears", () => {
    expect(keyToAction("/", three)).toEqual({ type: "filter-begin" });
    const typing = withFilter(beginFilter(three), "ab");
    expect(keyToAction("j", typing)).toEqual({ type: "filter-text", text: "abj" });
    expect(keyToAction("q", typing)).toEqual({ type: "filter-text", text: "abq" });
    expect(keyToAction("backspace", typing)).toEqual({ type: "filter-text", text: "a" });
    expect(keyToAction("enter", typing)).toEqual({ type: "filter-end", keep: true });
    expect(keyToAction("esc", typing)).toEqual({ type: "filter-end", keep: false });
    expect(keyToAction("down", typing)).toEqual({ type: "move", delta: 1 });
    expect(keyToAction("ctrl-c", typing)).toEqual({ type: "quit" });
    // Outside the filter line, Esc clears a kept filter, and does nothing without one.
    expect(keyToAction("esc", endFilter(typing, true))).toEqual({ type: "filter-end", keep: false });
    expect(keyToAction("esc", three)).toBeNull();
  });

  test("o cycles the order, O reverses it, ? shows the help and any key closes it", () => {
    expect(keyToAction("o", three)).toEqual({ type: "sort", reverse: false });
    expect(keyToAction("O", three)).toEqual({ type: "sort", reverse: true });
    expect(keyToAction("?", three)).toEqual({ type: "help", show: true });
    const help = withHelp(three, true);
    expect(keyToAction("q", help)).toEqual({ type: "help", show: false });
    expect(keyToAction("ctrl-c", help)).toEqual({ type: "quit" });
  });

  test("stop and restart of a system unit ask first; y confirms, anything else cancels", () => {
    const sys = initialState([svc("sshd", { class: "system" })]);
    expect(keyToAction("S", sys)).toEqual({ type: "confirm", action: "stop", name: "sshd" });
    expect(keyToAction("r", sys)).toEqual({ type: "confirm", action: "restart", name: "sshd" });
    expect(keyToAction("s", sys)).toEqual({ type: "start", name: "sshd" });
    const asking = withConfirm(sys, { action: "stop", name: "sshd" });
    expect(keyToAction("y", asking)).toEqual({ type: "stop", name: "sshd" });
    expect(keyToAction("n", asking)).toEqual({ type: "cancel-confirm" });
    expect(keyToAction("esc", asking)).toEqual({ type: "cancel-confirm" });
  });
});

describe("filter and sort", () => {
  const many = initialState([
    svc("web", { state: "running", restarts: 1, memory_bytes: 300 } as Partial<ServiceSummary>),
    svc("db", { state: "failed", pid: null, restarts: 5 }),
    svc("worker", { state: "inactive", pid: null, restarts: 0, memory_bytes: 100 } as Partial<ServiceSummary>),
    svc("cache", { restarts: 3, memory_bytes: 200 } as Partial<ServiceSummary>),
  ]);
  const names = (s: ReturnType<typeof initialState>) => visibleServices(s).map((x) => x.name);

  test("the filter keeps names containing it, in any case; the selection moves onto what is shown", () => {
    const f = withFilter(moveSelection(many, 1), "W");
    expect(names(f)).toEqual(["web", "worker"]);
    expect(f.selected).toBe("web");
    expect(names(endFilter(f, false))).toEqual(["cache", "db", "web", "worker"]);
    expect(withFilter(many, "zzz").selected).toBeUndefined();
  });

  test("orders: name, state (trouble first), restarts and memory largest first (unknown last), reversed with O", () => {
    const byState = cycleSort(many);
    expect(byState.sort).toBe("state");
    expect(names(byState)).toEqual(["db", "cache", "web", "worker"]);
    const byRestarts = cycleSort(byState);
    expect(names(byRestarts)).toEqual(["db", "cache", "web", "worker"]);
    const byMemory = cycleSort(byRestarts);
    expect(names(byMemory)).toEqual(["web", "cache", "worker", "db"]);
    expect(names(cycleSort(byMemory, true))).toEqual(["worker", "cache", "web", "db"]);
    expect(cycleSort(cycleSort(byMemory)).sort).toBe("name");
  });

  test("CPU share from two readings of the same process; a new pid starts over", () => {
    let s = withCpuTime(many, "web", 100, 1000, 0);
    expect(s.figures.web?.cpuPercent).toBeUndefined();
    s = withCpuTime(s, "web", 100, 1500, 2000);
    expect(s.figures.web?.cpuPercent).toBe(25);
    s = withCpuTime(s, "web", 101, 10, 4000);
    expect(s.figures.web?.cpuPercent).toBeNull();
    s = withCpuTime(s, "web", 101, 2010, 6000);
    expect(s.figures.web?.cpuPercent).toBe(100);
    expect(withCpuTime(s, "web", null, null, 8000).figures.web?.cpuPercent).toBeNull();
  });

  test("figures go with their process: an event that ends it, or a list without a pid, drops them", () => {
    let s = withCpuTime(withCpuTime(many, "cache", 1, 0, 0), "cache", 1, 1000, 2000);
    expect(s.figures.cache).toEqual({ memoryBytes: 200, cpuPercent: 50 });
    const stopped = applyEvent(s, { name: "cache", from: "running", to: "inactive", at: "", reason: "stopped", pid: null });
    expect(stopped.figures.cache).toEqual({ memoryBytes: null, cpuPercent: null });
    expect(stopped.cpuSamples.cache).toBeUndefined();
    s = withServices(s, [svc("cache", { state: "inactive", pid: null, memory_bytes: null } as Partial<ServiceSummary>)], 3000);
    expect(s.figures.cache).toEqual({ memoryBytes: null, cpuPercent: null });
  });
});
