/**
 * The dependency graph, pure: built once per load/reload from the units' names and
 * dependency lists, immutable afterwards. Every edge is kept in both directions so
 * one walker with a direction serves start order (dependencies first) and stop
 * order (dependents first).
 *
 * Edge "A -requires-> B" means A depends on B: B starts before A, A stops before B.
 */
import type { Dependencies, UnitKind } from "../config/types.ts";

export type EdgeType = "requires" | "after" | "wants";

/** Which way a walk follows edges: towards what a node depends on, or towards what depends on it. */
export type Direction = "dependencies" | "dependents";

export interface GraphNodeInput {
  name: string;
  kind: UnitKind;
  dependencies: Dependencies;
}

export interface Edge {
  from: string; // the dependent
  to: string; // the dependency
  type: EdgeType;
}

export interface UnknownReference {
  from: string;
  to: string;
  type: EdgeType | "conflicts";
}

export interface Cycle {
  /** the names on the cycle in order, first name repeated at the end: a -> b -> a */
  path: string[];
  /** every name of the strongly connected component, sorted; all are on a cycle, even those not on `path` */
  members: string[];
}

export interface Graph {
  readonly names: readonly string[];
  kindOf(name: string): UnitKind | undefined;
  has(name: string): boolean;
  /** outgoing edges: what `name` depends on (only known targets) */
  dependenciesOf(name: string): readonly Edge[];
  /** incoming edges: what depends on `name` */
  dependentsOf(name: string): readonly Edge[];
  /** symmetric: A conflicts B implies B conflicts A (only known names) */
  conflictsOf(name: string): readonly string[];
  readonly unknown: readonly UnknownReference[];
  readonly cycles: readonly Cycle[];
  /** the cycle a name lies on, as "a -> b -> a", or undefined */
  cycleOf(name: string): string | undefined;
  /**
   * start order as parallel layers (every edge goes from a later to an earlier layer); names on cycles left out,
   * and edges to them ignored: a dependent of a cycle member is placed as if that edge were absent
   */
  startLayers(): string[][];
  /** the reverse of startLayers */
  stopLayers(): string[][];
  /** everything starting `name` pulls in through requires and wants, transitively (not `name` itself) */
  pullIn(name: string): string[];
  /** everything that must stop before `name` stops: transitive dependents through requires */
  mustStopBefore(name: string): string[];
  /**
   * The one walker behind pullIn and mustStopBefore: every name reachable from
   * `from` along `direction` through edges of the given types, the starts left
   * out, sorted. Unknown start names are ignored.
   */
  reach(from: string | readonly string[], direction: Direction, types: readonly EdgeType[]): string[];
}
