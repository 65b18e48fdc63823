/**
 * The completion engine the shells' scripts and the repl share, over the real
 * verbs and flags, and the line format `zinit __complete` answers in.
 */
import { describe, expect, test } from "bun:test";
import { SIGNAL_NAMES } from "../../../src/sdk/config/signals.ts";
import { globalsIn, whatCompletes, type Want } from "../../../src/cli/complete/engine.ts";
import { answer } from "../../../src/cli/complete/run.ts";
import { COMPLETION_SCRIPTS } from "../../../src/cli/complete/scripts.ts";
import { loadSpec } from "../../../src/cli/complete/spec.ts";

const spec = await loadSpec();
const want = (line: string): Want => {
  const words = line.split(" ");
  return whatCompletes(words, spec, SIGNAL_NAMES);
};
const words = (line: string) => {
  const w = want(line);
  if (w.kind !== "words") throw new Error(`expected words for ${JSON.stringify(line)}, got ${w.kind}`);
  return w.candidates.map((c) => c.word);
};

describe("whatCompletes", () => {
  test("the first word: every verb, aliases and the other roles too, with summaries", () => {
    const all = words("");
    for (const v of ["list", "ls", "graph", "tree", "logs", "completion", "server", "pid1", "tui", "repl"]) expect(all).toContain(v);
    expect(all).not.toContain("__complete");
    const first = want("sta");
    expect(first.kind === "words" && first.candidates[0]).toEqual({ word: "start", description: "start and wait until settled" });
  });

  test("service names where a verb takes them, also after an alias; create's NAME is new", () => {
    expect(want("status web ")).toEqual({ kind: "service", prefix: "", exclude: ["web"] });
    expect(want("why w")).toEqual({ kind: "service", prefix: "w", exclude: [] });
    expect(want("tree d")).toEqual({ kind: "service", prefix: "d", exclude: [] });
    expect(want("create --after d")).toEqual({ kind: "service", prefix: "d", exclude: [] });
    expect(words("create ")).toEqual([]);
  });

  test("signals after kill NAME: canonical names, short forms when typed so, the user's case", () => {
    expect(words("kill web SIGT")).toEqual(["SIGTERM", "SIGTRAP", "SIGTSTP", "SIGTTIN", "SIGTTOU"]);
    expect(words("kill web TE")).toEqual(["TERM"]);
    expect(words("kill web ter")).toEqual(["term"]);
    expect(words("kill web ").length).toBe(SIGNAL_NAMES.length);
  });

  test("flags of the verb and the global ones; values that are paths go to the shell", () => {
    expect(words("logs --")).toEqual(["--config-dir", "--follow", "--help", "--json", "--lines", "--since", "--socket"]);
    expect(words("logs -f")).toEqual(["-f"]);
    expect(words("start --n")).toEqual(["--no-wait"]);
    expect(want("--socket /r")).toEqual({ kind: "file", prefix: "/r" });
    expect(want("list --config-dir /e")).toEqual({ kind: "dir", prefix: "/e" });
    expect(want("check /e")).toEqual({ kind: "dir", prefix: "/e" });
    expect(want("create x -f ./")).toEqual({ kind: "file", prefix: "./" });
    expect(words("logs -n ")).toEqual([]);
  });

  test("help and completion complete their own words", () => {
    expect(words("help gr")).toEqual(["graph"]);
    expect(words("completion ")).toEqual(["bash", "fish", "zsh"]);
  });

  test("the socket the words point at", () => {
    expect(globalsIn(["--socket", "/x.sock", "status", ""])).toEqual({ socket: "/x.sock" });
    expect(globalsIn(["status", "--socket=/y.sock", ""])).toEqual({ socket: "/y.sock" });
    expect(globalsIn(["status", ""])).toEqual({});
  });
});

describe("the __complete answer", () => {
  test("first line the kind; words as WORD<TAB>DESCRIPTION; services with their state, minus those given", async () => {
    expect(await answer(want("completion f"), async () => [])).toEqual(["words", "fish"]);
    const services = async () => [
      { word: "web", description: "running" },
      { word: "db", description: "failed" },
      { word: "worker", description: "inactive" },
    ];
    expect(await answer(want("start web w"), services)).toEqual(["words", "worker\tinactive"]);
    expect(await answer(want("check /"), services)).toEqual(["dir"]);
    expect(await answer(want("status x"), async () => [])).toEqual(["words"]);
  });
});

test("every script calls the hidden helper with the words typed so far", () => {
  for (const script of Object.values(COMPLETION_SCRIPTS)) expect(script).toContain("__complete --");
});
