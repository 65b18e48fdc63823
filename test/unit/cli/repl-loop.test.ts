/** The repl loop driven through a pipe, as when stdin is not a terminal. */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { PROMPT, runRepl } from "../../../src/cli/repl/loop.ts";

async function drive(input: string, run: (argv: string[]) => Promise<unknown> = async () => 0) {
  const dir = mkdtempSync(join(tmpdir(), "zinit-repl-"));
  const historyFile = join(dir, "history");
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += String(c)));
  const errors: string[] = [];
  const ran: string[][] = [];
  const done = runRepl({
    input: stdin,
    output: stdout,
    terminal: false,
    historyFile,
    verbs: ["list"],
    services: () => Promise.reject(new Error("unreachable")),
    run: async (argv) => {
      ran.push(argv);
      return run(argv);
    },
    err: (t) => errors.push(t),
    interrupted: () => {},
  });
  stdin.end(input);
  await done;
  const history = readFileSync(historyFile, "utf8");
  rmSync(dir, { recursive: true, force: true });
  return { out, errors, ran, history };
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
