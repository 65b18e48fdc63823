/**
 * The PID 1 shim (`zinit-pid1`, `init`, `zinit pid1`). Deliberately small: it
 * reaps every orphan, runs `zinit server` (this same executable) and watches it,
 * turns signals into an ordered shutdown through the server, and ends with a sweep
 * of the namespace and, in VM mode, reboot(2). Nothing here may throw out of the
 * process: as PID 1 an exit tears down the namespace or panics the kernel.
 *
 * The server tells us what it was asked to do by its exit status (SERVER_EXIT):
 * 0 shutdown, 10 poweroff, 11 reboot; anything else is a crash, and the server is
 * started again with back-off once the services it left behind are gone.
 */
import { closeSync, existsSync, openSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger } from "../logger.ts";
import { SELF_SPAWN_ARGV0 } from "../roles.ts";
import { envForSelf } from "../runtime-env.ts";
import { ChildReaper } from "../server/effects/reaper.ts";
import { restartDelay, STABLE_RUN_MS } from "../server/engine/restart.ts";
import { resolvePaths, SYSTEM_DIR } from "../sdk/paths.ts";
import { readContainerMarkers, readPid2Name } from "./container-signs.ts";
import { decideMode } from "./mode.ts";
import { mountEssentials } from "./mounts.ts";
import { sweepNamespace } from "./sweep.ts";
import { parseReport, SERVER_EXIT, type CriticalReport } from "./report.ts";
import { RB_AUTOBOOT, RB_HALT_SYSTEM, RB_POWER_OFF, reboot, sync } from "../sys/libc.ts";
import { parseListenAddress } from "../server/metrics-address.ts";
import { wantWatch } from "../server/watch-flag.ts";

const USAGE = `usage: zinit-pid1 [--container] [--config-dir DIR] [--socket PATH] [--log-level LEVEL]

The PID 1 shim: reaps zombies, runs and watches zinit-server, handles power signals.
Also run as \`init\` or \`zinit pid1 ...\`.

  --container        container mode (also ZINIT_CONTAINER=1): SIGTERM/SIGINT shut
                     down and exit 0. VM mode (ZINIT_CONTAINER=0): SIGTERM powers
                     off, SIGINT reboots, and PID 1 never exits. With neither,
                     container mode unless this is the machine's own init
                     (kthreadd as PID 2 and no container marker)
  --config-dir DIR   service files (ZINIT_CONFIG_DIR; default /etc/zinit/services)
  --socket PATH      control socket (ZINIT_SOCKET; default /run/zinit.sock)
  --log-level LEVEL  passed to the server
  --metrics HOST:PORT  passed to the server: GET /metrics there (ZINIT_METRICS)
  --watch            passed to the server: reload when the config directory changes
                     (ZINIT_WATCH=1)
`;

type Ending = "shutdown" | "poweroff" | "reboot" | "halt" | "critical";

const SELF_EXE = "/proc/self/exe";
const GRACE_MS = Number(process.env.ZINIT_GRACE_MS ?? 5000);
const RESTART_BASE_MS = 200;
const RESTART_MAX_MS = 10_000;

export async function runPid1(args: string[]): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        container: { type: "boolean" },
        "config-dir": { type: "string" },
        socket: { type: "string" },
        "log-level": { type: "string" },
        metrics: { type: "string" },
        watch: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`zinit-pid1: ${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) return void process.stdout.write(USAGE);
  // Checked here too: a typo must stop us at once, not crash-loop the server.
  const metrics = (values.metrics as string | undefined) ?? (process.env.ZINIT_METRICS || undefined);
  let watch: boolean;
  try {
    if (metrics !== undefined) parseListenAddress(metrics, values.metrics === undefined ? "ZINIT_METRICS" : "--metrics");
    watch = wantWatch(values.watch === true, process.env.ZINIT_WATCH);
  } catch (err) {
    process.stderr.write(`zinit-pid1: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger("zinit-pid1", (values["log-level"] as string | undefined) ?? process.env.ZINIT_LOG_LEVEL ?? "info");
  // Never die of our own bug: PID 1 exiting kills everything.
  process.on("uncaughtException", (err) => log.error("uncaught exception:", err));
  process.on("unhandledRejection", (err) => log.error("unhandled rejection:", err));

  const decision = decideMode({
    containerFlag: values.container === true,
    envValue: process.env.ZINIT_CONTAINER,
    isPid1: process.pid === 1,
    pid: process.pid,
    pid2Name: readPid2Name(),
    markers: readContainerMarkers(),
  });
  if ("error" in decision) {
    process.stderr.write(`zinit-pid1: ${decision.error}\n`);
    process.exitCode = 2;
    return;
  }
  const mode = decision.mode;
  const container = mode === "container";
  for (const note of decision.notes) log.warn(note);
  log.info(`${mode === "vm" ? "VM" : "container"} mode: ${decision.why}`);
  if (mode === "vm") {
    const m = mountEssentials();
    if (m.mounted.length) log.info(`mounted ${m.mounted.join(", ")}`);
    for (const f of m.failed) log.warn(`mount ${f}`);
  }
  const paths = resolvePaths(
    { configDir: values["config-dir"] as string | undefined, socket: values.socket as string | undefined },
    process.env,
    process.platform,
  );
  const serverArgs = ["server", "--config-dir", paths.configDir, "--socket", paths.socket, "--mode", mode];
  if (mode === "vm") serverArgs.push("--system-dir", SYSTEM_DIR);
  if (values["log-level"]) serverArgs.push("--log-level", values["log-level"] as string);
  if (metrics !== undefined) serverArgs.push("--metrics", metrics);
  if (watch) serverArgs.push("--watch");

  const reaper = new ChildReaper();
  reaper.start();

  let wanted: Ending | null = null;
  let server: Bun.Subprocess | null = null;
  const askServer = (ending: Ending) => {
    if (wanted === null) wanted = ending;
    log.info(`${ending} requested`);
    if (server) {
      try {
        server.kill("SIGTERM");
      } catch {}
    }
  };
  process.on("SIGTERM", () => askServer(container ? "shutdown" : "poweroff"));
  process.on("SIGINT", () => askServer(container ? "shutdown" : "reboot"));
  process.on("SIGHUP", () => server?.kill("SIGHUP"));
  if (mode === "vm") {
    // busybox's poweroff and halt (often shell built-ins) signal PID 1 this way.
    process.on("SIGUSR2", () => askServer("poweroff"));
    process.on("SIGUSR1", () => askServer("halt"));
  }

  let consecutive = 0;
  for (;;) {
    const startedAt = Date.now();
    try {
      // The role comes from argv[0], never from the file name: a copy of the
      // executable called zinit-pid1 or /sbin/init must still start a server.
      // /proc/self/exe is the image we run even after the file was replaced or
      // removed (an upgrade in place), so pid1 and server always match.
      server = reaper.spawn([SELF_EXE, ...serverArgs, "--report-fd", "3"], {
        argv0: SELF_SPAWN_ARGV0,
        stdin: "ignore",
        stdout: "inherit",
        stderr: "inherit",
        // fd 3: the server's reports (which critical unit failed)
        stdio: ["ignore", "inherit", "inherit", "pipe"],
        // Without BUN_OPTIONS and the like (stashed for the services): the server's
        // runtime starts unsteered and needs no re-exec of its own.
        env: envForSelf(process.env),
      });
    } catch (err) {
      log.error(`cannot start the server: ${(err as Error).message}`);
      server = null;
    }
    // Read only after the exit, and only when it says there is a report: the
    // server writes at most one line, which waits in the socket's buffer, and
    // a stream kept open for the whole run cost Bun's thread pool at the end.
    const reportFd = server ? ((server.stdio as unknown[])[3] as number) : null;
    const code = server ? await server.exited.catch(() => -1) : -1;
    server = null;
    const ending = endingOf(code, wanted);
    if (ending === "critical") {
      const reports = reportFd === null ? [] : await readReports(reportFd);
      const critical = reports.at(-1) ?? { name: "(unknown)", status: 1 };
      // Container: exits. VM: returns once the emergency shell is left, to retry the boot.
      await failCritical(mode, critical, reaper, log);
      consecutive = 0;
      continue;
    }
    closeQuietly(reportFd);
    if (ending !== null) {
      await finish(mode, ending, log);
      return;
    }
    // A crash: clear what it left behind so that every service runs exactly once.
    log.error(`server exited unexpectedly (status ${code}); stopping what it left behind`);
    await sweepNamespace(GRACE_MS, (m) => log.warn(m));
    if (wanted !== null) {
      await finish(mode, wanted, log);
      return;
    }
    consecutive = Date.now() - startedAt >= STABLE_RUN_MS ? 1 : consecutive + 1;
    const delay = restartDelay(consecutive, RESTART_BASE_MS, RESTART_MAX_MS);
    log.info(`restarting the server in ${delay} ms`);
    await Bun.sleep(delay);
  }
}

function endingOf(code: number, wanted: Ending | null): Ending | null {
  if (code === SERVER_EXIT.critical) return "critical";
  if (code === SERVER_EXIT.poweroff) return "poweroff";
  if (code === SERVER_EXIT.reboot) return "reboot";
  if (code === SERVER_EXIT.shutdown) return wanted ?? "shutdown";
  return null;
}

type Log = { info(m: string): void; warn(m: string): void; error(m: string): void };

function closeQuietly(fd: number | null): void {
  try {
    if (fd !== null) closeSync(fd);
  } catch {}
}

/** The reports the server wrote on its report fd, read until it closes. */
async function readReports(fd: number): Promise<CriticalReport[]> {
  const out: CriticalReport[] = [];
  let text = "";
  try {
    for await (const chunk of Bun.file(fd).stream()) text += new TextDecoder().decode(chunk);
  } catch {}
  try {
    closeSync(fd);
  } catch {}
  for (const line of text.split("\n")) {
    const r = parseReport(line);
    if (r) out.push(r);
  }
  return out;
}

/**
 * A critical unit failed and the server has stopped everything. A container ends
 * with the unit's status; a VM never exits: it says so on the console and, where
 * there is one, runs an emergency shell there; leaving the shell starts the
 * server again (the boot is retried).
 */
async function failCritical(mode: "container" | "vm", critical: CriticalReport, reaper: ChildReaper, log: Log): Promise<void> {
  await sweepNamespace(GRACE_MS, (m) => log.warn(m));
  if (mode === "container") {
    log.error(`critical unit ${critical.name} failed; exiting with status ${critical.status}`);
    process.exit(critical.status);
  }
  log.error(`critical unit ${critical.name} failed (status ${critical.status}); the services are stopped`);
  if (!existsSync("/bin/sh") || !existsSync("/dev/console")) {
    log.error("no emergency shell (/bin/sh or /dev/console missing); halted. Power off or reset the machine.");
    for (;;) await Bun.sleep(3_600_000);
  }
  log.error("starting an emergency shell on /dev/console; leave it (exit) to retry the boot");
  let tty: number | null = null;
  try {
    tty = openSync("/dev/console", "r+");
    const sh = reaper.spawn(["/bin/sh"], { stdin: tty, stdout: tty, stderr: tty, env: { ...process.env, PS1: "zinit-emergency# " } });
    await sh.exited.catch(() => {});
  } catch (err) {
    log.error(`cannot run the emergency shell: ${(err as Error).message}; halted`);
    for (;;) await Bun.sleep(3_600_000);
  } finally {
    if (tty !== null) closeSync(tty);
  }
  log.info("emergency shell left; starting the server again");
}

async function finish(mode: "container" | "vm", ending: Ending, log: Log): Promise<void> {
  await sweepNamespace(GRACE_MS, (m) => log.warn(m));
  if (mode === "container") {
    log.info("all stopped; exiting");
    process.exit(0);
  }
  // VM mode: shutdown means power off; PID 1 never returns.
  const cmd = ending === "reboot" ? RB_AUTOBOOT : ending === "halt" ? RB_HALT_SYSTEM : RB_POWER_OFF;
  log.info(ending === "reboot" ? "rebooting" : ending === "halt" ? "halting" : "powering off");
  try {
    sync();
    reboot(cmd);
  } catch (err) {
    log.error(`reboot(2) failed: ${(err as Error).message}`);
  }
  for (;;) await Bun.sleep(3_600_000);
}
