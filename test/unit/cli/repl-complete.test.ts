/** The repl's pure completion, and its history file. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec } from "../../../src/cli/complete/spec.ts";
import { complete } from "../../../src/cli/repl/complete.ts";
import { HISTORY_SIZE, appendHistory, historyPath, loadHistory } from "../../../src/cli/repl/history.ts";

// The real verbs and their real flags, as the repl builds them.
const spec = await loadSpec((name) => !["repl", "tui", "server", "pid1"].includes(name));
const src = { spec, services: ["db", "web", "worker"] };
const verbs = spec.verbs.map((v) => v.name);

describe("complete", () => {
  test("an empty line offers every verb", () => {
    const [all, word] = complete("", src);
    expect(word).toBe("");
    expect(all).toEqual([...verbs].sort());
    expect(all).toContain("ls");
    expect(all).not.toContain("tui");
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
    expect(complete("logs web w", src)).toEqual([["worker "], "w"]);
  });

  test("single-name verbs complete their first argument only; kill's second is a signal", () => {
    expect(complete("why d", src)).toEqual([["db "], "d"]);
    expect(complete("why db ", src)).toEqual([[], ""]);
    expect(complete("kill db SIGK", src)).toEqual([["SIGKILL "], "SIGK"]);
    expect(complete("kill db hu", src)).toEqual([["hup "], "hu"]);
    expect(complete("logs -f w", src)).toEqual([["web", "worker"], "w"]);
    expect(complete("logs -n ", src)).toEqual([[], ""]);
    expect(complete("logs -n 5 ", src)).toEqual([["db", "web", "worker"], ""]);
    expect(complete("create ", src)).toEqual([[], ""]);
  });

  test("help completes verbs; list takes nothing; flags complete from the verb's own", () => {
    expect(complete("help st", src)).toEqual([["start", "start-all", "status", "stop", "stop-all"], "st"]);
    expect(complete("list ", src)).toEqual([[], ""]);
    expect(complete("start --no", src)).toEqual([["--no-wait "], "--no"]);
    expect(complete("logs --f", src)).toEqual([["--follow "], "--f"]);
    expect(complete("logs --s", src)).toEqual([["--since", "--socket"], "--s"]);
  });

  test("global flags before the verb are skipped; their values are paths", () => {
    expect(complete("--json sta", src)).toEqual([["start", "start-all", "status"], "sta"]);
    expect(complete("--socket /tmp/s stop d", src)).toEqual([["db "], "d"]);
    const paths = (prefix: string, dirsOnly: boolean) => (dirsOnly ? ["/srv/"] : [`${prefix}x.sock`]);
    expect(complete("--socket /run/", { ...src, paths })).toEqual([["/run/x.sock "], "/run/"]);
    expect(complete("check /s", { ...src, paths })).toEqual([["/srv/"], "/s"]);
  });

  test("with no services known (server unreachable) names complete to nothing", () => {
    expect(complete("start ", { spec, services: [] })).toEqual([[], ""]);
  });
});

describe("history", () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const tmp = () => (dir = mkdtempSync(join(tmpdir(), "zinit-hist-")));

  test("the file: $ZINIT_HISTORY, else the user's state directory, else none", () => {
    expect(historyPath({ ZINIT_HISTORY: "/x/h", HOME: "/home/u" })).toBe("/x/h");
    expect(historyPath({ XDG_STATE_HOME: "/st", HOME: "/home/u" })).toBe("/st/zinit/history");
    expect(historyPath({ HOME: "/home/u" })).toBe("/home/u/.local/state/zinit/history");
    expect(historyPath({})).toBeUndefined();
  });

  test("the first line written makes the directory, private to the user", () => {
    const file = join(tmp(), "state", "zinit", "history");
    appendHistory(file, "list");
    expect(readFileSync(file, "utf8")).toBe("list\n");
    expect(statSync(join(dir!, "state", "zinit")).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
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
    const file = join(tmp(), "a-file");
    writeFileSync(file, "");
    expect(() => appendHistory(join(file, "dir", "h"), "list")).not.toThrow();
    expect(loadHistory(join(file, "dir", "h"))).toEqual([]);
  });
});
