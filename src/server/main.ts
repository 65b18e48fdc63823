/**
 * The server role (`zinit server`, `zinit-server`): load the config, supervise, serve
 * the socket. Standalone it makes itself child subreaper so that double-forked
 * service descendants are still reaped; under zinit-pid1 it is told the mode.
 */
import { parseArgs } from "node:util";
import { createLogger, LOG_LEVELS, type Logger } from "../logger.ts";
import { loadDirectories } from "../sdk/config/index.ts";
import { formatIssue } from "../sdk/config/types.ts";
import { resolvePaths } from "../sdk/paths.ts";
import { ZinitError } from "../sdk/errors.ts";
import { VERSION } from "../version.ts";
import { Supervisor } from "./supervisor.ts";
import { writeSync } from "node:fs";
import { formatCriticalReport, SERVER_EXIT } from "../pid1/report.ts";
import { ChildReaper } from "./effects/reaper.ts";
import { setChildSubreaper } from "../sys/libc.ts";
import { listenRpc } from "./rpc/listen.ts";
import { AfterBurst } from "./effects/after-burst.ts";
import { observeReads, readAllPolledNow } from "./effects/output-poller.ts";
import { drainStdio } from "../stdio.ts";
import { buildHandlers } from "./rpc/handlers.ts";
import { ConfigStore } from "./config-store.ts";
import { shareAlikeSections } from "./shared-tables.ts";
import { lockInstance } from "./effects/instance-lock.ts";
import { ensurePrivateDir } from "./effects/private-dir.ts";
import type { SystemInfo } from "../sdk/protocol/types.ts";
import { parseListenAddress, type ListenAddress } from "./metrics-address.ts";
import { listenMetrics } from "./metrics-http.ts";
import { scrapeMetrics } from "./metrics-source.ts";
import { setUpCgroups } from "./effects/cgroups.ts";
import { watchConfigDirs } from "./effects/watch.ts";
import { wantWatch } from "./watch-flag.ts";

const USAGE = `usage: zinit-server [--config-dir DIR] [--socket PATH] [--system-dir DIR] [--log-level LEVEL]

The zinit supervisor daemon: loads the service files, starts them in dependency
order and serves the control socket. Also run as \`zinit server ...\`.

  --config-dir DIR   service files (ZINIT_CONFIG_DIR; default /etc/zinit/services,
                     for a user other than root ~/.config/zinit/services)
  --socket PATH      control socket (ZINIT_SOCKET; default /run/zinit.sock, for a user
                     other than root $XDG_RUNTIME_DIR/zinit.sock or /tmp/zinit-UID/zinit.sock)
  --system-dir DIR   system services, loaded first with class = "system"
  --log-level LEVEL  trace, debug, info, warn, error (ZINIT_LOG_LEVEL; default info)
  --metrics HOST:PORT  serve GET /metrics (Prometheus text) there, e.g. 127.0.0.1:9100
                     or :9100 for every interface (ZINIT_METRICS; default off)
  --watch            reload by itself when the config directories change (inotify,
                     debounced 200 ms; ZINIT_WATCH=1); follows Kubernetes ConfigMaps
  --version          print the version
`;


/**
 * How long the last lines may take to reach our stdout and stderr at exit. A
 * reader that has stopped reading (a stalled `docker logs`) must not hold the
 * shutdown: past this, what it has not taken is lost.
 */
const STDIO_DRAIN_MS = 2_000;

export interface ServerFlags {
  configDir?: string;
  socket?: string;
  systemDir?: string;
  logLevel: string;
  mode: SystemInfo["mode"];
  /** where to serve GET /metrics; off when absent */
  metrics?: ListenAddress;
  /** reload on changes of the config directories */
  watch?: boolean;
  /** under zinit-pid1: the fd of the pipe on which to report facts (see pid1/report.ts) */
  reportFd?: number;
}

function parseFlags(args: string[]): ServerFlags | "help" | "version" {
  const { values } = parseArgs({
    args,
    options: {
      "config-dir": { type: "string" },
      socket: { type: "string" },
      "system-dir": { type: "string" },
      "log-level": { type: "string" },
      metrics: { type: "string" },
      watch: { type: "boolean" },
      // set by zinit-pid1 so that system.info reports how we were started
      mode: { type: "string" },
      // set by zinit-pid1: where to tell it which critical unit failed
      "report-fd": { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  if (values.version) return "version";
  const logLevel = values["log-level"] ?? process.env.ZINIT_LOG_LEVEL ?? "info";
  if (!(logLevel in LOG_LEVELS)) throw new ZinitError("usage", `--log-level: expected one of ${Object.keys(LOG_LEVELS).join(", ")}, got "${logLevel}"`);
  const mode = (values.mode ?? "standalone") as SystemInfo["mode"];
  if (!["standalone", "container", "vm"].includes(mode)) throw new ZinitError("usage", `--mode: expected standalone, container or vm`);
  const reportFd = values["report-fd"] === undefined ? undefined : Number(values["report-fd"]);
  if (reportFd !== undefined && !(Number.isInteger(reportFd) && reportFd >= 3)) throw new ZinitError("usage", "--report-fd: expected an fd number of 3 or more");
  const metricsText = values.metrics ?? (process.env.ZINIT_METRICS || undefined);
  const metrics = metricsText === undefined ? undefined : parseListenAddress(metricsText, values.metrics === undefined ? "ZINIT_METRICS" : "--metrics");
  return { configDir: values["config-dir"], socket: values.socket, systemDir: values["system-dir"], logLevel, mode, metrics, watch: wantWatch(values.watch, process.env.ZINIT_WATCH), reportFd };
}

export async function runServer(args: string[]): Promise<void> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(args);
  } catch (err) {
    process.stderr.write(`zinit-server: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (flags === "help") return void process.stdout.write(USAGE);
  if (flags === "version") return void process.stdout.write(`zinit ${VERSION}\n`);
  const log = createLogger("zinit", flags.logLevel, { batch: true });
  guardProcess(log);
  try {
    await serve(flags, log);
  } catch (err) {
    // A failure before we serve is fatal and must say so: exiting 0 would look like a clean stop.
    // A ZinitError is a situation a person can act on, anything else a bug worth its stack.
    log.error(`cannot start: ${err instanceof ZinitError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  }
}

/** A supervisor must outlive its own bugs: log them, never exit on them. */
function guardProcess(log: Logger): void {
  process.on("uncaughtException", (err) => log.error("uncaught exception:", err));
  process.on("unhandledRejection", (err) => log.error("unhandled rejection:", err));
}

async function serve(flags: ServerFlags, log: Logger): Promise<void> {
  const uid = process.getuid?.() ?? 0;
  const paths = resolvePaths({ configDir: flags.configDir, socket: flags.socket, systemDir: flags.systemDir }, process.env, process.platform, uid);
  // User mode without $XDG_RUNTIME_DIR: the socket's directory in /tmp must be ours alone.
  if (paths.privateDir) ensurePrivateDir(paths.privateDir, uid);
  // Before anything is started, since each of these ends a process that has no
  // handler for it: a TERM, INT or HUP that arrives while services are being
  // started must stop or reload them, not kill us and leave them running. Until
  // the handlers below take over, a request only waits.
  const early = waitForHandlers();
  // Before anything is started: a second server must refuse without running a single service.
  const lock = lockInstance(paths.socket, paths.configDir);
  for (const w of lock.warnings) log.warn(w);
  let supervisor: Supervisor | undefined;
  const reaper = new ChildReaper({
    onOrphanExit: (pid, status) => {
      log.debug(`reaped orphan ${pid} (${status.signal === null ? `exit code ${status.code}` : `signal ${status.signal}`})`);
      // A reaped orphan may have been the last member of a stopping service's group.
      supervisor?.noteOrphanReaped();
    },
  });
  if (process.pid !== 1 && process.platform === "linux") {
    try {
      setChildSubreaper();
    } catch (err) {
      log.warn(`cannot become child subreaper: ${(err as Error).message}`);
    }
  }
  reaper.start();

  // Bound before any service starts: a port in use stops us here, having run nothing.
  // It serves until the process exits, so a scrape during shutdown sees the services stop.
  if (flags.metrics) {
    const url = listenMetrics(flags.metrics, () => scrapeMetrics(supervisor, flags.mode, reaper.reapedCount)).url;
    log.info(`metrics on ${url}`);
  }

  const dirs = [...(paths.systemDir ? [{ dir: paths.systemDir, forceClass: "system" as const }] : []), { dir: paths.configDir }];
  const loaded = loadDirectories(dirs);
  for (const issue of loaded.errors) log.warn(formatIssue(issue));

  // Before the first spawn: every service goes into a cgroup of its own from its first instruction.
  const cgroups =
    process.platform === "linux"
      ? setUpCgroups({ mode: flags.mode, env: process.env, warn: (m) => log.warn(m) })
      : { info: { enabled: false, path: null, reason: `not on Linux (${process.platform})`, controllers: [] }, cgroups: null };
  const cg = cgroups.info;
  log.info(cg.enabled ? `cgroups: enabled (${cg.path}; controllers: ${cg.controllers.join(" ") || "none"})` : `cgroups: unavailable (${cg.reason})`);

  supervisor = new Supervisor(shareAlikeSections(loaded.units), {
    cgroups: cgroups.cgroups,
    spawner: (argv, opts) => reaper.spawn(argv, opts),
    probeSpawner: (argv, opts) => reaper.spawn(argv, opts),
    onError: (err) => log.error(err),
  });
  supervisor.onState((e) => log.info(`${e.name}: ${e.from} -> ${e.to} (${e.reason})`));
  log.info(`zinit ${VERSION} serving ${loaded.units.length} units from ${paths.configDir} on ${paths.socket}`);

  const config = new ConfigStore(supervisor, dirs, paths.configDir);
  let stopping: Promise<void> | null = null;
  const startedAt = Date.now();
  // Under zinit-pid1 the exit status tells it what to do next (see pid1/main.ts).
  let exitStatus = 0;
  const shutdown = (why: string) => {
    if (stopping) return stopping;
    log.info(`${why}: stopping all services`);
    stopping = supervisor.shutdown().then(async () => {
      // Whatever a service (or a descendant) wrote last is read and written out
      // before we go: an exit drops what is still in a pipe or in Bun's writer.
      readAllPolledNow();
      log.info("all services stopped");
      await server?.close();
      reaper.stop();
      await drainStdio(STDIO_DRAIN_MS);
      process.exit(exitStatus);
    });
    return stopping;
  };

  // A critical unit failed: everything goes down, and zinit ends with its status.
  // Standalone that is our exit status; under pid1 we tell pid1 on the report fd
  // and exit with SERVER_EXIT.critical, since our own status means shutdown/crash.
  supervisor.onCritical(({ name, status, reason }) => {
    if (stopping !== null) return;
    log.error(`critical unit ${name} failed (${reason}): stopping everything; zinit ends with status ${status}`);
    exitStatus = status;
    if (flags.reportFd !== undefined) {
      try {
        writeSync(flags.reportFd, formatCriticalReport({ name, status }));
        exitStatus = SERVER_EXIT.critical;
      } catch (err) {
        log.error(`cannot tell zinit-pid1 about ${name}: ${(err as Error).message}`);
      }
    }
    setImmediate(() => void shutdown(`critical unit ${name} failed`));
  });

  let server: Awaited<ReturnType<typeof listenRpc>> | undefined;
  const afterBurst = new AfterBurst();
  // A flood of service output leaves garbage behind just as a burst of requests does.
  observeReads((bytes) => afterBurst.note(bytes));
  try {
    server = await listenRpc(
      paths.socket,
      buildHandlers({
        supervisor,
        config,
        mode: flags.mode,
        startedAt,
        paths: { config_dir: paths.configDir, system_dir: paths.systemDir, socket: paths.socket },
        powerControl: flags.mode === "vm",
        reapedOrphans: () => reaper.reapedCount,
        cgroups: cg,
        requestShutdown: (kind) => {
          if (stopping === null) exitStatus = kind === "poweroff" ? SERVER_EXIT.poweroff : kind === "reboot" ? SERVER_EXIT.reboot : SERVER_EXIT.shutdown;
          setImmediate(() => void shutdown(`${kind} requested`));
        },
      }),
      { onRead: (bytes) => afterBurst.note(bytes) },
    );
  } catch (err) {
    log.error((err as Error).message);
    await supervisor.shutdown();
    process.exit(1);
  }
  early.handOver({
    stop: (signal) => void shutdown(signal),
    reload: () => {
      log.info("SIGHUP: reloading the configuration");
      afterBurst.burst();
      config.reload().then(
        (r) => {
          log.info(`reload: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.unchanged.length} unchanged, ${r.errors.length} errors`);
          // The same text `zinit reload` prints, one line each, so a log search finds the file.
          for (const e of r.errors) log.error(`reload: ${e.replaceAll("\n", " | ")}`);
        },
        (err) => log.error(`reload failed: ${(err as Error).message}`),
      );
    },
  });
  // Start-up is a burst too: parsing every file and the first pass leave garbage
  // and compiled code an idle server no longer needs (1.7 MB of private memory
  // with 100 services, 2.5 MB with 1,000), collected once the start has gone quiet.
  afterBurst.burst();
  if (flags.watch) watchAndReload(dirs.map((d) => d.dir), config, log, afterBurst);
}

interface SignalActions {
  stop(signal: "SIGTERM" | "SIGINT"): void;
  reload(): void;
}

/**
 * TERM, INT and HUP handlers installed at once; what they ask for is kept until
 * `handOver` gives the real actions, then done (a stop wins over a reload).
 */
function waitForHandlers(): { handOver(actions: SignalActions): void } {
  let stop: "SIGTERM" | "SIGINT" | null = null;
  let reload = false;
  let actions: SignalActions | null = null;
  const onStop = (signal: "SIGTERM" | "SIGINT") => (actions ? actions.stop(signal) : (stop ??= signal));
  process.on("SIGTERM", () => onStop("SIGTERM"));
  process.on("SIGINT", () => onStop("SIGINT"));
  process.on("SIGHUP", () => (actions ? actions.reload() : (reload = true)));
  return {
    handOver(given) {
      actions = given;
      if (stop !== null) given.stop(stop);
      else if (reload) given.reload();
    },
  };
}

/** --watch: the reload of SIGHUP, on inotify events of the config directories. */
function watchAndReload(dirs: string[], config: ConfigStore, log: Logger, afterBurst: AfterBurst): void {
  watchConfigDirs(dirs, {
    onWarn: (m) => log.warn(`watch: ${m}`),
    onChange: (why) => {
      afterBurst.burst();
      void config.reload().then(
        (r) => {
          const summary = `${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.unchanged.length} unchanged, ${r.errors.length} errors`;
          // A burst that changed nothing (an editor's swap file, our own create) is not news.
          const news = r.added.length + r.removed.length + r.changed.length + r.errors.length > 0;
          if (news) log.info(`watch: ${why}; reload: ${summary}`);
          else log.debug(`watch: ${why}; reload: ${summary}`);
          for (const e of r.errors) log.error(`reload: ${e.replaceAll("\n", " | ")}`);
        },
        (err) => log.error(`watch: reload failed: ${(err as Error).message}`),
      );
    },
  });
  log.info(`watching ${dirs.join(" and ")} for changes`);
}
