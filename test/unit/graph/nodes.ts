/** Small builders for graph tests: a unit is a name plus whichever dependency lists it uses. */
import type { Dependencies } from "../../../src/sdk/config/types.ts";
import type { GraphNodeInput } from "../../../src/sdk/graph/index.ts";

export function service(name: string, deps: Partial<Dependencies> = {}): GraphNodeInput {
  return { name, kind: "service", dependencies: { requires: [], after: [], wants: [], conflicts: [], ...deps } };
}

export function target(name: string, deps: Partial<Dependencies> = {}): GraphNodeInput {
  return { ...service(name, deps), kind: "target" };
}

/** mulberry32: a tiny seeded PRNG, so random graphs are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with the given PRNG. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
