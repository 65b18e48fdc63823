/** The repl loop driven through a pipe, as when stdin is not a terminal. */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { PROMPT, runRepl, type Job } from "../../../src/cli/repl/loop.ts";

interface DriveOptions {
  /** called with the interrupt listener while a command runs */
  onInterrupts?(fire: () => void): void;
  cancelled?: string[];
}

async function drive(input: string, run: (argv: string[]) => Promise<unknown> = async () => 0, opts: DriveOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "zinit-repl-"));
  const historyFile = join(dir, "history");
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += String(c)));
  const errors: string[] = [];
  const ran: string[][] = [];
  let refreshed = 0;
  const done = runRepl({
    input: stdin,
    output: stdout,
    terminal: false,
    historyFile,
    completer: () => [[], ""],
    refresh: () => void refreshed++,
    run: (argv): Job => {
      ran.push(argv);
      return { done: (async () => run(argv))(), cancel: () => opts.cancelled?.push(argv.join(" ")) };
    },
    interrupts: (listener) => {
      let subscribed = true;
      opts.onInterrupts?.(() => subscribed && listener());
      return () => void (subscribed = false);
    },
    err: (t) => errors.push(t),
  });
  stdin.end(input);
  await done;
  const history = readFileSync(historyFile, "utf8");
  rmSync(dir, { recursive: true, force: true });
  return { out, errors, ran, history, refreshed };
}

test("each line runs in order, split like a shell; exit ends the loop", async () => {
  const r = await drive(`list\nstatus "a b" c\n\nexit\nlist\n`);
  expect(r.ran).toEqual([["list"], ["status", "a b", "c"]]);
  expect(r.out).toBe(PROMPT.repeat(4) + "\n");
  expect(r.history).toBe(`list\nstatus "a b" c\nexit\n`);
});

test("end of input ends the loop; commands run one after another even when slow", async () => {
  const order: string[] = [];
  const r = await drive("one\ntwo\n", async ([w]) => {
    order.push(`begin ${w}`);
    await Bun.sleep(20);
    order.push(`end ${w}`);
  });
  expect(order).toEqual(["begin one", "end one", "begin two", "end two"]);
  expect(r.out.endsWith("\n")).toBe(true);
});

test("a line that cannot be split is reported and the loop goes on", async () => {
  const r = await drive(`status 'x\nquit\n`);
  expect(r.errors).toEqual(["zinit: unbalanced single quote"]);
  expect(r.ran).toEqual([]);
});

test("a failing command does not end the repl, nor does one that throws", async () => {
  const r = await drive("bogus\nboom\nlist\n", async ([w]) => {
    if (w === "boom") throw new Error("kaboom");
    return w === "bogus" ? 2 : 0;
  });
  expect(r.ran).toEqual([["bogus"], ["boom"], ["list"]]);
  expect(r.errors.join("\n")).toContain("kaboom");
});

test("an interrupt while a command runs cancels that command only; the next line still runs", async () => {
  const cancelled: string[] = [];
  let interrupt: () => void = () => {};
  const r = await drive(
    "logs -f web\nlist\n",
    async ([w]) => {
      // Ctrl-C while `logs -f` runs; the fake command ends a moment later, as a killed one does.
      if (w === "logs") await Bun.sleep(10).then(() => interrupt()).then(() => Bun.sleep(10));
    },
    { cancelled, onInterrupts: (fire) => void (interrupt = fire) },
  );
  interrupt(); // after the repl ended: nobody listens any more
  expect(cancelled).toEqual(["logs -f web"]);
  expect(r.ran).toEqual([["logs", "-f", "web"], ["list"]]);
  // The names are refreshed at start and after each command.
  expect(r.refreshed).toBe(3);
});
