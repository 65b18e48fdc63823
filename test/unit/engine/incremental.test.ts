/**
 * A walk looks only at the units marked dirty. That is an optimisation, not a
 * rule: it must decide exactly what a walk over every unit would decide. After
 * every event of a long random run (requires, after, wants, conflicts, targets,
 * oneshots, crashes, stops, starts, health failures), a copy of the model is
 * walked both ways and the two must agree on every command and every record.
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { step, type EngineModel } from "../../../src/server/engine/engine.ts";
import type { Command, EngineEvent } from "../../../src/server/engine/io.ts";
import type { ServiceRecord } from "../../../src/server/engine/model.ts";
import type { Unit } from "../../../src/sdk/config/types.ts";
import { unit, World, type Behaviour, rng } from "./world.ts";

/** A copy a walk can change without touching the original (the graph is immutable, units are not written). */
function copyModel(m: EngineModel, allDirty: boolean): EngineModel {
  const records = new Map<string, ServiceRecord>();
  for (const [name, r] of m.records) records.set(name, { ...r, health: r.health && { ...r.health } });
  return {
    ...m,
    records,
    stopNotes: new Map(m.stopNotes),
    armed: new Set(m.armed),
    reloads: [...m.reloads],
    dirty: allDirty ? new Uint8Array(m.dirty.length).fill(1) : m.dirty.slice(),
    upHint: m.upHint.slice(),
    walk: null,
  };
}

/** What a walk decides: its commands, and every record's state afterwards. */
function walked(m: EngineModel, now: number): { commands: Command[]; records: string[] } {
  const { commands } = step(m, { type: "pass" }, now);
  const records = [...m.records.values()].map((r) => `${r.name} ${r.state} ${r.phase} ${r.desired} ${r.stopCause} ${r.pid} ${r.reason}`);
  // `since` in emitted events is the same clock; drop nothing, compare all.
  return { commands, records };
}

class CheckedWorld extends World {
  checks = 0;
  override feed(e: EngineEvent): string[] | undefined {
    const names = super.feed(e);
    const m = this.model;
    if (m.walk === null && m.dirty.length > 0) {
      const incremental = walked(copyModel(m, false), this.now);
      const full = walked(copyModel(m, true), this.now);
      expect(incremental).toEqual(full);
      this.checks++;
    }
    return names;
  }
}


/** 120 units of every kind, wired at random to earlier ones (so no cycles). */
function randomUnits(rand: () => number): { units: Unit[]; behaviour: Record<string, Behaviour> } {
  const units: Unit[] = [];
  const behaviour: Record<string, Behaviour> = {};
  const pick = (i: number) => `u${Math.floor(rand() * i)}`;
  for (let i = 0; i < 120; i++) {
    const name = `u${i}`;
    const deps: string[] = [];
    if (i > 0) {
      const pulled = new Set<string>();
      const edges = (type: string, p: number) => {
        const names = new Set<string>();
        while (rand() < p && names.size < 4) names.add(pick(i));
        if (type !== "after") for (const n of names) pulled.add(n);
        if (names.size > 0) deps.push(`${type} = [${[...names].map((n) => `"${n}"`).join(", ")}]`);
      };
      edges("requires", 0.5);
      edges("after", 0.3);
      edges("wants", 0.2);
      const rival = pick(i);
      if (rand() < 0.05 && !pulled.has(rival)) deps.push(`conflicts = ["${rival}"]`);
    }
    const r = rand();
    if (r < 0.1) {
      units.push(unit(name, `[target]\n[dependencies]\n${deps.join("\n")}\n`));
      continue;
    }
    const oneshot = r < 0.2;
    const health = !oneshot && r < 0.3 ? `[health]\ntype = "tcp"\ntarget = "127.0.0.1:1"\ninterval_ms = 50\nretries = 2\n` : "";
    // Some never pass while starting: their start timeout takes them down from outside any walk.
    if (health) behaviour[name] = { healthy: r < 0.25 ? () => rand() < 0.9 : () => false };
    const timeout = health ? `start_timeout_ms = ${20 + Math.floor(rand() * 60)}\n` : "";
    if (oneshot) behaviour[name] = { runMs: 1 + Math.floor(rand() * 20), exitCode: rand() < 0.8 ? 0 : 1 };
    const status = rand() < 0.1 ? 'status = "stop"\n' : "";
    units.push(
      unit(
        name,
        `[service]\nexec = "${name}"\n${oneshot ? "oneshot = true\n" : ""}${status}[lifecycle]\nrestart_delay_ms = ${1 + Math.floor(rand() * 30)}\nrestart_delay_max_ms = 100\n${timeout}${health}[dependencies]\n${deps.join("\n")}\n`,
      ),
    );
  }
  return { units, behaviour };
}

describe("the dirty walk decides what a walk over every unit decides", () => {
  for (const seed of [1, 7, 42]) {
    test(`random run, seed ${seed}: after every event the two walks agree`, () => {
      const rand = rng(seed);
      const { units, behaviour } = randomUnits(rand);
      const w = new CheckedWorld(units, behaviour);
      for (let i = 0; i < 600; i++) {
        const name = `u${Math.floor(rand() * units.length)}`;
        const r = rand();
        try {
          if (r < 0.5 && w.rec(name).pid !== null) w.exit(name, rand() < 0.5 ? 1 : 0, rand() < 0.3 ? "SIGKILL" : null);
          else if (r < 0.7) w.stop(name);
          else if (r < 0.95) w.start(name);
          else w.restart(name);
        } catch (err) {
          if (!(err instanceof ZinitError)) throw err;
        }
        w.advance(Math.floor(rand() * 40));
      }
      w.shutdown();
      w.advance(10_000);
      expect(w.shutdownDone).toBe(true);
      expect(w.checks).toBeGreaterThan(1_000);
    });
  }
});
