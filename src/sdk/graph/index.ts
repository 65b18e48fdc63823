/** The pure dependency graph: build once per load, then ask it for order, cycles and closures. */
export { buildGraph } from "./build.ts";
export type {
  Cycle,
  Direction,
  Edge,
  EdgeType,
  Graph,
  GraphNodeInput,
  UnknownReference,
} from "./types.ts";
