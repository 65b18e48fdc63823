/**
 * The repl's read-eval loop over node:readline: one line is split like a shell
 * would (splitExec) and handed to `run` as an argv, one at a time, in order. A
 * command's failure is its own business (it has printed why); the loop goes on
 * until `exit`, `quit` or end of input (Ctrl-D). Works the same with a pipe for
 * stdin: no echo, just the prompt before each line is read.
 *
 * While a command runs, the terminal is given back in its normal (cooked) mode,
 * as a shell does: Ctrl-C is then the terminal's interrupt, which reaches the
 * command (`interrupts`), and the loop cancels it and prompts again. Typed-ahead
 * lines wait in the terminal until the next prompt. At the prompt Ctrl-C only
 * drops the line being typed.
 */
import { createInterface, type Interface } from "node:readline";
import { splitExec } from "../../sdk/config/split.ts";
import { HISTORY_SIZE, appendHistory, loadHistory } from "./history.ts";

export const PROMPT = "zinit> ";

/** One command started by the loop. */
export interface Job {
  /** settles when the command has ended, however it ended */
  done: Promise<unknown>;
  /** asks the command to stop at once (Ctrl-C) */
  cancel(): void;
}

export interface ReplOptions {
  input: NodeJS.ReadableStream & { setRawMode?(mode: boolean): unknown };
  output: NodeJS.WritableStream;
  /** input is a terminal: line editing, completion, history keys */
  terminal: boolean;
  historyFile: string | undefined;
  /** readline's completer: candidates for the line up to the cursor, and the word they replace */
  completer(line: string): [string[], string];
  /** runs one command line as `zinit ARGV` would */
  run(argv: string[]): Job;
  /** called at start and after every command (to refresh the service names) */
  refresh?(): void;
  /** subscribes to interrupts (SIGINT) while a command runs; returns the unsubscribe */
  interrupts?(listener: () => void): () => void;
  /** a message on stderr */
  err(text: string): void;
  /** printed once before the first prompt, on a terminal */
  banner?: string;
}

const QUIT = new Set(["exit", "quit"]);

export async function runRepl(opts: ReplOptions): Promise<void> {
  opts.refresh?.();
  const rl = createInterface({
    input: opts.input,
    output: opts.output,
    terminal: opts.terminal,
    prompt: PROMPT,
    completer: (line: string) => opts.completer(line),
    history: loadHistory(opts.historyFile).reverse(),
    historySize: HISTORY_SIZE,
  });
  rl.on("SIGINT", () => {
    // Like a shell: drop the half-typed line, prompt again.
    opts.output.write("^C\n");
    rl.write(null, { ctrl: true, name: "u" });
    rl.prompt();
  });
  const lines = lineQueue(rl);
  let quit = false;
  if (opts.terminal && opts.banner) opts.output.write(`${opts.banner}\n`);
  rl.prompt();
  for (let line = await lines.next(); line !== undefined; line = await lines.next()) {
    appendHistory(opts.historyFile, line);
    if (QUIT.has(line.trim())) {
      quit = true;
      break;
    }
    const argv = split(line, opts);
    if (argv && argv.length > 0) await runOne(argv, rl, opts);
    opts.refresh?.();
    if (!lines.closed) rl.prompt();
    // With piped input the interface may close before the queued lines are run.
    else opts.output.write(PROMPT);
  }
  rl.close();
  // End of input leaves the cursor after a prompt; end that line.
  if (!quit || !opts.terminal) opts.output.write("\n");
}

function split(line: string, opts: ReplOptions): string[] | null {
  try {
    return splitExec(line);
  } catch (error) {
    opts.err(`zinit: ${(error as Error).message}`);
    return null;
  }
}

/** Runs one command with the terminal in its normal mode; Ctrl-C cancels it. */
async function runOne(argv: string[], rl: Interface, opts: ReplOptions): Promise<void> {
  if (opts.terminal) {
    rl.pause();
    opts.input.setRawMode?.(false);
  }
  let cancelled = false;
  let job: Job | undefined;
  const off = opts.interrupts?.(() => {
    cancelled = true;
    job?.cancel();
  });
  try {
    // The prompt must be out before the command's own output, which bypasses our stream.
    await new Promise<void>((resolve) => opts.output.write("", () => resolve()));
    job = opts.run(argv);
    await job.done;
  } catch (error) {
    // The command reports its own errors; this is a bug, but the shell stays up.
    opts.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    off?.();
    if (opts.terminal) {
      opts.input.setRawMode?.(true);
      rl.resume();
    }
  }
  // The terminal echoed ^C where the output stopped; the prompt starts a line of its own.
  if (cancelled) opts.output.write("\n");
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
