/**
 * `zinit repl`: an interactive shell. Every line runs as a zinit command through
 * the same entry as the command line (runCli), with this session's global flags
 * in front; its exit status is always 0. See repl/loop.ts.
 */
import { defineCommand } from "citty";
import { splitCommand } from "../args.ts";
import { cli, processIo, withClient, type CliContext } from "../context.ts";
import { COMMANDS } from "../registry.ts";
import { historyPath } from "../repl/history.ts";
import { runRepl } from "../repl/loop.ts";

/** Verbs that would fight the repl for the terminal, or turn it into another role. */
const NOT_IN_REPL = new Set(["repl", "tui", "server", "pid1"]);

export default defineCommand({
  meta: { name: "repl", description: "Interactive shell: run zinit commands, with completion of verbs and service names, and history." },
  args: {},
  async run(c) {
    const ctx = cli(c);
    // Commands run here may leave streams behind; let the entry's exit guard apply.
    ctx.holdsStreams = true;
    const { runCli } = await import("../main.ts");
    const prefix = globalArgs(ctx);
    await runRepl({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY === true && process.stdout.isTTY === true,
      historyFile: historyPath(ctx.env),
      verbs: [...COMMANDS.map((e) => e.name).filter((v) => !NOT_IN_REPL.has(v)), "exit", "quit"],
      services: () => withClient(ctx, async (client) => (await client.list()).map((s) => s.name)),
      run: (argv) => {
        const verb = verbOf(argv);
        if (verb !== undefined && NOT_IN_REPL.has(verb)) {
          ctx.err(`zinit: ${verb}: not available inside the repl`);
          return Promise.resolve(2);
        }
        return runCli([...prefix, ...argv], { io: processIo(), exitGuard: false });
      },
      err: ctx.err,
      interrupted: () => process.exit(130),
    });
    return 0;
  },
});

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
    return undefined; // a malformed global flag: runCli reports it
  }
}
