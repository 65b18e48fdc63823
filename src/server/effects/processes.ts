/**
 * The process operations the supervisor loop needs, as one interface: the host's
 * (real processes) here, an in-memory one in the tests. Both pass the same contract
 * suite (test/contract/process-system.case.ts), so the loop's tests with the fake
 * speak for the real thing.
 */
import type { ServiceConfig } from "../../sdk/config/types.ts";
import { groupAlive, signalGroup, spawnService, type ServiceListener, type ServiceProcess, type Spawner } from "./process.ts";

export interface ProcessSystem {
  /**
   * starts the service in a session and process group of its own, inside cgroup
   * directory `cgroup` when given (from its first instruction); throws a
   * ZinitError ("spawn failed: ..."). The listener gets the output, then, once,
   * the end of the group leader.
   */
  spawn(config: ServiceConfig, listener: ServiceListener, cgroup?: string): ServiceProcess;
  /** signals every process of the group; false when the group is gone */
  signalGroup(pgid: number, signal: string | number): boolean;
  /** true while any process of the group lives */
  groupAlive(pgid: number): boolean;
}

export function hostProcesses(spawner?: Spawner): ProcessSystem {
  return {
    spawn: (config, listener, cgroup) => spawnService(config, listener, spawner, cgroup),
    signalGroup,
    groupAlive,
  };
}
