/**
 * The process operations the supervisor loop needs, as one interface: the host's
 * (real processes) here, an in-memory one in the tests. Both pass the same contract
 * suite (test/contract/process-system.case.ts), so the loop's tests with the fake
 * speak for the real thing.
 */
import type { ServiceConfig } from "../../sdk/config/types.ts";
import type { LineSink } from "./output.ts";
import { groupAlive, signalGroup, spawnService, type ProcessEnd, type ServiceProcess, type Spawner } from "./process.ts";

export interface ProcessSystem {
  /**
   * starts the service in a session and process group of its own, inside cgroup
   * directory `cgroup` when given (from its first instruction); throws a
   * ZinitError ("spawn failed: ..."). `onExit` is called once, later, when the
   * group leader has exited.
   */
  spawn(config: ServiceConfig, sink: LineSink, onExit: (end: ProcessEnd) => void, cgroup?: string): ServiceProcess;
  /** signals every process of the group; false when the group is gone */
  signalGroup(pgid: number, signal: string | number): boolean;
  /** true while any process of the group lives */
  groupAlive(pgid: number): boolean;
}

export function hostProcesses(spawner?: Spawner): ProcessSystem {
  return {
    spawn: (config, sink, onExit, cgroup) => spawnService(config, sink, onExit, spawner, cgroup),
    signalGroup,
    groupAlive,
  };
}
