import { describe, expect, test } from "bun:test";
import { transition, isAllowed, IllegalTransition, type Transitionable } from "../../../src/server/engine/transition.ts";
import { SERVICE_STATES } from "../../../src/sdk/states.ts";

const rec = (state: Transitionable["state"]): Transitionable => ({ name: "web", state, reason: "loaded", since: 0, pid: null });

describe("transition", () => {
  test("records from, to, when and why, and stamps since", () => {
    const r = rec("inactive");
    const e = transition(r, "blocked", "requires database (starting)", 1_000);
    expect(e).toEqual({ name: "web", from: "inactive", to: "blocked", at: new Date(1_000).toISOString(), reason: "requires database (starting)", pid: null });
    expect(r.state).toBe("blocked");
    expect(r.since).toBe(1_000);
  });

  test("a reason change in blocked keeps since and emits an event", () => {
    const r = rec("blocked");
    r.since = 5;
    const e = transition(r, "blocked", "requires b (blocked)", 99);
    expect(e?.from).toBe("blocked");
    expect(r.since).toBe(5);
    expect(r.reason).toBe("requires b (blocked)");
  });

  test("no change gives no event", () => {
    const r = rec("running");
    r.reason = "started";
    expect(transition(r, "running", "started", 7)).toBeNull();
  });

  test("illegal edges throw and leave the record untouched", () => {
    for (const [from, to] of [["inactive", "stopping"], ["exited", "stopping"], ["failed", "exited"], ["stopping", "running"], ["running", "running"]] as const) {
      const r = rec(from);
      expect(() => transition(r, to, "x", 1)).toThrow(IllegalTransition);
      expect(r.state).toBe(from);
    }
  });

  test("every state can reach failed or inactive except by illegal paths; none reaches itself silently", () => {
    for (const s of SERVICE_STATES) {
      expect(isAllowed(s, "failed") || s === "stopping" || s === "exited").toBe(true);
    }
    expect(isAllowed("stopping", "failed")).toBe(true);
    expect(isAllowed("running", "running")).toBe(false);
  });
});
