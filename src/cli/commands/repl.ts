/**
 * `zinit repl`: an interactive shell. Every line runs as a zinit command of its own
 * (a child process of the same executable, with this session's global flags in
 * front), so Ctrl-C can end that command, `logs -f` included, and leave the shell
 * standing. Its exit status is always 0. See repl/loop.ts.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { defineCommand } from "citty";
import { splitCommand } from "../args.ts";
import { candidatesFor, cli, type CliContext } from "../context.ts";
import { liveServices } from "../complete/run.ts";
import { loadSpec } from "../complete/spec.ts";
import { complete } from "../repl/complete.ts";
import { historyPath } from "../repl/history.ts";
import { runRepl, type Job } from "../repl/loop.ts";
import { selfCommand } from "../self.ts";

/** Verbs that would fight the repl for the terminal, or turn it into another role. */
const NOT_IN_REPL = new Set(["repl", "tui", "server", "pid1"]);
/** A cancelled command that ignores SIGINT gets SIGKILL after this long. */
const CANCEL_GRACE_MS = 2000;

export const REPL_KEYS = `in the repl:
  Tab          complete verbs, flags, signal names and service names
  Up / Down    earlier / later commands (history survives sessions)
  Ctrl-C       cancel the running command (logs -f too), or drop the line being typed
  Ctrl-D       leave (so do exit and quit)`;

const BANNER = "zinit repl: Tab completes, Up/Down recall, Ctrl-C cancels, Ctrl-D leaves; `help` lists the commands.";

export default defineCommand({
  meta: {
    name: "repl",
    description: `Interactive shell: run zinit commands, with completion of verbs, flags, signals and service names, and history.\n\n${REPL_KEYS}`,
  },
  args: {},
  async run(c) {
    const ctx = cli(c);
    // A name refresh may still be under way at the end; let the entry's exit guard apply.
    ctx.holdsStreams = true;
    const prefix = globalArgs(ctx);
    const spec = await loadSpec((name) => !NOT_IN_REPL.has(name));
    spec.verbs.push({ name: "exit", description: "leave the repl", positionals: [], variadic: false, flags: [] });
    spec.verbs.push({ name: "quit", description: "leave the repl", positionals: [], variadic: false, flags: [] });
    let names: string[] = [];
    const sockets = candidatesFor(ctx.socket, ctx.env);
    const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
    await runRepl({
      input: process.stdin,
      output: process.stdout,
      terminal,
      historyFile: historyPath(ctx.env),
      completer: (line) => complete(line, { spec, services: names, paths: listPaths }),
      // Fire and forget: a slow or absent server must never hold the prompt up.
      refresh: () => void liveServices(sockets, 1000).then((list) => (names = list.map((s) => s.word))),
      run: (argv) => {
        const verb = verbOf(argv);
        if (verb !== undefined && NOT_IN_REPL.has(verb)) {
          ctx.err(`zinit: ${verb}: not available inside the repl`);
          return { done: Promise.resolve(2), cancel: () => {} };
        }
        let job: Job;
        try {
          job = runChild([...prefix, ...argv]);
        } catch (error) {
          ctx.err(`zinit: cannot start the command: ${(error as Error).message}`);
          return { done: Promise.resolve(1), cancel: () => {} };
        }
        const done = verb === "help" && argv.length === 1 ? job.done.then(() => ctx.out(`\n${REPL_KEYS}`)) : job.done;
        return { done, cancel: job.cancel };
      },
      interrupts: (listener) => {
        process.on("SIGINT", listener);
        return () => process.off("SIGINT", listener);
      },
      err: ctx.err,
      banner: BANNER,
    });
    return 0;
  },
});

/** One command line as a child process on our stdout and stderr. */
function runChild(argv: string[]): Job {
  const self = selfCommand();
  const child = Bun.spawn([...self.cmd, ...argv], {
    argv0: self.argv0,
    // The repl keeps the terminal's input; no command here reads it.
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
    env: process.env,
  });
  return {
    done: child.exited,
    cancel: () => {
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGKILL"), CANCEL_GRACE_MS).unref();
    },
  };
}

/** Path completion for the repl: the entries of the prefix's directory that start like it. */
function listPaths(prefix: string, dirsOnly: boolean): string[] {
  const dir = prefix.endsWith("/") ? prefix : dirname(prefix);
  const base = prefix.endsWith("/") ? "" : prefix.slice(prefix.lastIndexOf("/") + 1);
  const shown = prefix.includes("/") ? (prefix.endsWith("/") ? prefix : prefix.slice(0, prefix.lastIndexOf("/") + 1)) : "";
  try {
    return readdirSync(dir === "" ? "." : dir)
      .filter((e) => e.startsWith(base) && (base.startsWith(".") || !e.startsWith(".")))
      .flatMap((e) => {
        let isDir = false;
        try {
          isDir = statSync(join(dir, e)).isDirectory();
        } catch {}
        if (dirsOnly && !isDir) return [];
        return [`${shown}${e}${isDir ? "/" : ""}`];
      });
  } catch {
    return [];
  }
}

/** The session's global flags, repeated in front of every line. */
function globalArgs(ctx: CliContext): string[] {
  const args: string[] = [];
  if (ctx.socket !== undefined) args.push("--socket", ctx.socket);
  if (ctx.configDir !== undefined) args.push("--config-dir", ctx.configDir);
  if (ctx.json) args.push("--json");
  return args;
}

function verbOf(argv: string[]): string | undefined {
  try {
    return splitCommand(argv).command;
  } catch {
    return undefined; // a malformed global flag: the command reports it
  }
}
