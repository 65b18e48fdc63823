/** The repl's pure completion, and its history file. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { complete } from "../../../src/cli/repl/complete.ts";
import { HISTORY_SIZE, appendHistory, historyPath, loadHistory } from "../../../src/cli/repl/history.ts";

const src = { verbs: ["list", "start", "start-all", "status", "stop", "help", "logs", "kill", "exit"], services: ["db", "web", "worker"] };

describe("complete", () => {
  test("an empty line offers every verb", () => {
    expect(complete("", src)).toEqual([[...src.verbs].sort(), ""]);
  });

  test("a verb prefix narrows the verbs; a single match gets its blank", () => {
    expect(complete("sta", src)).toEqual([["start", "start-all", "status"], "sta"]);
    expect(complete("li", src)).toEqual([["list "], "li"]);
    expect(complete("zz", src)).toEqual([[], "zz"]);
  });

  test("after a verb that takes names: service names, without those already given", () => {
    expect(complete("start ", src)).toEqual([["db", "web", "worker"], ""]);
    expect(complete("start w", src)).toEqual([["web", "worker"], "w"]);
    expect(complete("status web w", src)).toEqual([["worker "], "w"]);
  });

  test("single-name verbs complete their first argument only", () => {
    expect(complete("kill d", src)).toEqual([["db "], "d"]);
    expect(complete("kill db ", src)).toEqual([[], ""]);
    expect(complete("logs -f w", src)).toEqual([["web", "worker"], "w"]);
    expect(complete("logs -n ", src)).toEqual([[], ""]);
    expect(complete("logs -n 5 ", src)).toEqual([["db", "web", "worker"], ""]);
  });

  test("help completes verbs; list takes nothing; flags are not completed", () => {
    expect(complete("help st", src)).toEqual([["start", "start-all", "status", "stop"], "st"]);
    expect(complete("list ", src)).toEqual([[], ""]);
    expect(complete("start --no", src)).toEqual([[], "--no"]);
  });

  test("global flags before the verb are skipped", () => {
    expect(complete("--json sta", src)).toEqual([["start", "start-all", "status"], "sta"]);
    expect(complete("--socket /tmp/s stop d", src)).toEqual([["db "], "d"]);
    expect(complete("--socket ", src)).toEqual([[], ""]);
  });

  test("with no services known (server unreachable) names complete to nothing", () => {
    expect(complete("start ", { verbs: src.verbs, services: [] })).toEqual([[], ""]);
  });
});

describe("history", () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const tmp = () => (dir = mkdtempSync(join(tmpdir(), "zinit-hist-")));

  test("the file: $ZINIT_HISTORY, else ~/.zinit_history, else none", () => {
    expect(historyPath({ ZINIT_HISTORY: "/x/h", HOME: "/home/u" })).toBe("/x/h");
    expect(historyPath({ HOME: "/home/u" })).toBe("/home/u/.zinit_history");
    expect(historyPath({})).toBeUndefined();
  });

  test("appended line by line, blanks skipped, loaded oldest first", () => {
    const file = join(tmp(), "h");
    expect(loadHistory(file)).toEqual([]);
    for (const l of ["list", "  ", "status web"]) appendHistory(file, l);
    expect(readFileSync(file, "utf8")).toBe("list\nstatus web\n");
    expect(loadHistory(file)).toEqual(["list", "status web"]);
  });

  test("only the last HISTORY_SIZE lines are kept", () => {
    const file = join(tmp(), "h");
    writeFileSync(file, Array.from({ length: HISTORY_SIZE + 5 }, (_, i) => `cmd ${i}`).join("\n") + "\n");
    const lines = loadHistory(file);
    expect(lines.length).toBe(HISTORY_SIZE);
    expect(lines[0]).toBe("cmd 5");
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean).length).toBe(HISTORY_SIZE);
  });

  test("an unwritable place is not an error", () => {
    expect(() => appendHistory("/nonexistent/dir/h", "list")).not.toThrow();
    expect(loadHistory("/nonexistent/dir/h")).toEqual([]);
  });
});
