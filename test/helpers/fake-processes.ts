/**
 * An in-memory ProcessSystem: processes that live in a Map, obey signals after a
 * millisecond, and print what they are told to. What each process does comes from
 * its exec line, a tiny language:
 *
 *   fake [say:TEXT]... [exit:CODE@MS] [trap:SIGNAL]... [child]
 *
 * say prints TEXT on stdout at once; exit ends the process by itself; trap ignores
 * a signal (never SIGKILL); child leaves one more member in the group that outlives
 * the leader until a signal reaches the group. Any other first word fails to spawn
 * with "no such file".
 */
import type { ServiceConfig } from "../../src/sdk/config/types.ts";
import { ZinitError } from "../../src/sdk/errors.ts";
import type { ProcessEnd, ServiceListener, ServiceProcess } from "../../src/server/effects/process.ts";
import type { ProcessSystem } from "../../src/server/effects/processes.ts";

interface Member {
  alive: boolean;
  traps: Set<string>;
  end?: (e: ProcessEnd) => void;
}

export class FakeProcesses implements ProcessSystem {
  readonly groups = new Map<number, Member[]>();
  readonly spawned: { pid: number; exec: string[] }[] = [];
  private nextPid = 4_000_000;

  spawn(config: ServiceConfig, sink: ServiceListener): ServiceProcess {
    const argv = config.service.exec;
    if (argv[0] !== "fake") throw new ZinitError("failed", `spawn failed: ${argv[0]}: no such file`);
    const pid = this.nextPid++;
    const traps = new Set(argv.filter((a) => a.startsWith("trap:")).map((a) => a.slice(5)));
    const leader: Member = { alive: true, traps, end: (e) => sink.exited(e) };
    const members = [leader];
    if (argv.includes("child")) members.push({ alive: true, traps: new Set() });
    this.groups.set(pid, members);
    this.spawned.push({ pid, exec: argv });
    for (const a of argv) if (a.startsWith("say:")) queueMicrotask(() => sink.lines("stdout", [a.slice(4)]));
    const exit = argv.find((a) => a.startsWith("exit:"));
    if (exit) {
      const [code, ms] = exit.slice(5).split("@").map(Number);
      setTimeout(() => this.die(leader, { code: code ?? 0, signal: null }), ms ?? 0);
    }
    return { pid, ready: null };
  }

  signalGroup(pgid: number, signal: string | number): boolean {
    const members = this.groups.get(pgid)?.filter((m) => m.alive) ?? [];
    if (members.length === 0) return false;
    const sig = typeof signal === "number" ? (signal === 9 ? "SIGKILL" : `SIG${signal}`) : signal.startsWith("SIG") ? signal : `SIG${signal}`;
    if (signal === 0) return true;
    for (const m of members) {
      if (sig !== "SIGKILL" && m.traps.has(sig)) continue;
      setTimeout(() => this.die(m, { code: null, signal: sig }), 1);
    }
    return true;
  }

  groupAlive(pgid: number): boolean {
    return this.groups.get(pgid)?.some((m) => m.alive) ?? false;
  }

  private die(m: Member, e: ProcessEnd): void {
    if (!m.alive) return;
    m.alive = false;
    m.end?.(e);
  }
}
