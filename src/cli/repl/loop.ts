/**
 * The repl's read-eval loop over node:readline: one line is split like a shell
 * would (splitExec) and handed to `run` as an argv, one at a time, in order. A
 * command's failure is its own business (it has printed why); the loop goes on
 * until `exit`, `quit` or end of input. Works the same with a pipe for stdin: no
 * echo, just the prompt before each line is read.
 */
import { createInterface, type Interface } from "node:readline";
import { splitExec } from "../../sdk/config/split.ts";
import { complete } from "./complete.ts";
import { HISTORY_SIZE, appendHistory, loadHistory } from "./history.ts";

export const PROMPT = "zinit> ";

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** input is a terminal: line editing, completion, history keys */
  terminal: boolean;
  historyFile: string | undefined;
  /** what completes the first word */
  verbs: readonly string[];
  /** the service names to complete; rejects when the server cannot be reached */
  services(): Promise<string[]>;
  /** runs one command line as `zinit ARGV` would */
  run(argv: string[]): Promise<unknown>;
  /** a message on stderr */
  err(text: string): void;
  /** Ctrl-C while a command runs (it cannot be cancelled in-process) */
  interrupted(): void;
}

const QUIT = new Set(["exit", "quit"]);

export async function runRepl(opts: ReplOptions): Promise<void> {
  let names: string[] = [];
  // Fire and forget: a slow or absent server must never hold the prompt up.
  const refresh = () => void opts.services().then((n) => (names = n), () => (names = []));
  refresh();
  const rl = createInterface({
    input: opts.input,
    output: opts.output,
    terminal: opts.terminal,
    prompt: PROMPT,
    completer: (line: string) => complete(line, { verbs: opts.verbs, services: names }),
    history: loadHistory(opts.historyFile).reverse(),
    historySize: HISTORY_SIZE,
  });
  let busy = false;
  rl.on("SIGINT", () => {
    if (busy) {
      rl.close(); // gives the terminal back before the process ends
      return opts.interrupted();
    }
    // Like a shell: drop the half-typed line, prompt again.
    opts.output.write("^C\n");
    rl.write(null, { ctrl: true, name: "u" });
    rl.prompt();
  });
  const lines = lineQueue(rl);
  let quit = false;
  rl.prompt();
  for (let line = await lines.next(); line !== undefined; line = await lines.next()) {
    appendHistory(opts.historyFile, line);
    if (QUIT.has(line.trim())) {
      quit = true;
      break;
    }
    busy = true;
    await evaluate(line, opts);
    busy = false;
    refresh();
    if (!lines.closed) rl.prompt();
    // With piped input the interface may close before the queued lines are run.
    else opts.output.write(PROMPT);
  }
  rl.close();
  // End of input leaves the cursor after a prompt; end that line.
  if (!quit || !opts.terminal) opts.output.write("\n");
}

/**
 * The lines of `rl`, one per next(), undefined at the end. Buffers what arrives
 * while a command runs; readline's own async iterator loses lines queued when a
 * piped input ends (under Bun).
 */
function lineQueue(rl: Interface): { next(): Promise<string | undefined>; readonly closed: boolean } {
  const queued: string[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  rl.on("line", (line: string) => (queued.push(line), notify()));
  rl.on("close", () => ((closed = true), notify()));
  return {
    get closed() {
      return closed;
    },
    async next() {
      while (queued.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
      return queued.shift();
    },
  };
}

async function evaluate(line: string, opts: ReplOptions): Promise<void> {
  let argv: string[];
  try {
    argv = splitExec(line);
  } catch (error) {
    opts.err(`zinit: ${(error as Error).message}`);
    return;
  }
  if (argv.length === 0) return;
  try {
    await opts.run(argv);
  } catch (error) {
    // runCli reports its own errors; this is a bug, but the shell stays up.
    opts.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
