/** The tui's keys and state steps: pure. */
import { describe, expect, test } from "bun:test";
import type { ServiceSummary } from "../../../src/sdk/protocol/types.ts";
import { keyToAction, parseKeys } from "../../../src/cli/tui/keys.ts";
import {
  MAX_LOG_LINES,
  appendLog,
  applyEvent,
  initialState,
  moveSelection,
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
  test("the list is sorted and the first service selected", () => {
    expect(three.services.map((s) => s.name)).toEqual(["a", "b", "c"]);
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
    expect(withServices(onB, [svc("0"), svc("b")]).selected).toBe("b");
    expect(withServices(onB, [svc("x"), svc("y")]).selected).toBe("x");
    expect(withServices(onB, []).selected).toBeUndefined();
  });

  test("an event updates state, reason, pid and since of its service", () => {
    const next = applyEvent(three, { name: "b", from: "running", to: "failed", at: "2024-05-01T01:00:00Z", reason: "exited with code 1", pid: null });
    expect(next.services[1]).toMatchObject({ name: "b", state: "failed", reason: "exited with code 1", pid: null, since: "2024-05-01T01:00:00Z" });
    expect(next.services[0]).toBe(three.services[0]!);
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
