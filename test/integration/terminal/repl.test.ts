/**
 * `zinit repl` in a real terminal (tmux), against a real server: every key and
 * command of its help. Tab completes verbs, flags, signals and live service names;
 * Ctrl-C cancels a running command (`logs -f` included) and drops a half-typed
 * line; Up/Down recall; history survives sessions in the user's state directory;
 * Ctrl-D, exit and quit leave with status 0.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { startServer, waitFor, type TestServer } from "../../helpers/server.ts";
import { buildOnce } from "../cli/build.ts";
import { hasTmux, Terminal } from "./lib.ts";

setDefaultTimeout(90_000);

const FILES: Record<string, string> = {
  beta: "[service]\nexec = \"sh -c 'i=0; while :; do i=$((i+1)); echo beta-line-$i; sleep 0.2; done'\"\n",
  web: '[service]\nexec = "/bin/sleep 1000"\n',
};

let server: TestServer;
let home: string;

beforeAll(async () => {
  await buildOnce();
  server = await startServer(FILES);
  home = mkdtempSync(join(tmpdir(), "zinit-repl-home-"));
  await waitFor("beta and web running", async () => {
    const list = (await server.rpc("service.list")) as { state: string }[];
    return list.length === 2 && list.every((s) => s.state === "running");
  }, 15_000);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** A repl session in its own terminal, with history in `home`'s state directory. */
async function session(): Promise<Terminal> {
  const term = Terminal.start([ZINIT, "--socket", server.socket, "repl"], {
    width: 120,
    height: 40,
    env: { HOME: home, XDG_STATE_HOME: "", ZINIT_HISTORY: "", NO_COLOR: "1" },
  });
  await term.waitFor(/^zinit> ?$/m, "the prompt");
  await term.waitRaw();
  return term;
}

/** The line being edited: the last prompt line on screen. */
function promptLine(screen: string): string {
  return screen.split("\n").filter((l) => l.startsWith("zinit>")).at(-1) ?? "";
}

/** Pids of `zinit ... logs -f beta` processes still alive. */
function logsFollowers(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.includes(server.socket) && argv.includes("logs") && argv.includes("-f")) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

describe.skipIf(!hasTmux)("repl in tmux", () => {
  test("Tab, Ctrl-C (line and command), Up/Down, help, exit; then history in a new session, quit and Ctrl-D", async () => {
    const term = await session();
    try {
      expect(term.screen()).toContain("zinit repl: Tab completes, Up/Down recall, Ctrl-C cancels, Ctrl-D leaves");

      // Tab: the first one extends to what the candidates share, the second lists them.
      // (Each key waits for the screen: keys read in one chunk count as a paste, not typing.)
      await term.typeSeen("star", /^zinit> star$/m);
      term.keys("Tab");
      await term.waitFor((s) => promptLine(s) === "zinit> start", "star extended to start");
      term.keys("Tab");
      let screen = await term.waitFor(/^start +start-all *$/m, "the verbs starting with start");
      // Ctrl-C at the prompt drops the half-typed line.
      term.keys("C-c");
      screen = await term.waitFor((s) => /\^C/.test(s) && promptLine(s) === "zinit>", "a fresh prompt after ^C");

      // One match completes with its blank; service names come from the server.
      await term.typeSeen("stat", /^zinit> stat$/m);
      term.keys("Tab");
      await term.waitFor((s) => promptLine(s) === "zinit> status", "status completed");
      await term.typeSeen("w", /^zinit> status w$/m);
      term.keys("Tab");
      await term.waitFor((s) => promptLine(s) === "zinit> status web", "web completed from the server");
      term.keys("Enter");
      screen = await term.waitFor(/^name: +web$/m, "the status of web");
      expect(screen).toMatch(/^state: +running/m);

      // Flags and signal names complete too.
      await term.typeSeen("logs --fo", /^zinit> logs --fo$/m);
      term.keys("Tab");
      await term.waitFor((s) => promptLine(s) === "zinit> logs --follow", "--follow completed");
      term.keys("C-c");
      await term.waitFor((s) => promptLine(s) === "zinit>", "the line dropped");
      await term.typeSeen("kill web SIGKI", /^zinit> kill web SIGKI$/m);
      term.keys("Tab");
      await term.waitFor((s) => promptLine(s) === "zinit> kill web SIGKILL", "SIGKILL completed");
      term.keys("C-c");
      await term.waitFor((s) => promptLine(s) === "zinit>", "the line dropped");

      // Ctrl-C cancels logs -f: the follower ends and the prompt comes back.
      await term.typeSeen("logs -f beta", /^zinit> logs -f beta$/m);
      term.keys("Enter");
      await term.waitFor(/beta stdout\| beta-line-\d+\n(.*\n)*.*beta stdout\| beta-line-\d+/, "lines following");
      expect(logsFollowers().length).toBe(1);
      term.keys("C-c");
      screen = await term.waitFor((s) => /\^C/.test(s) && promptLine(s) === "zinit>" && s.trimEnd().endsWith("zinit>"), "the prompt after cancelling logs -f");
      await waitFor("the follower gone", () => logsFollowers().length === 0, 5000);
      // The shell is usable at once.
      await term.typeSeen("ls", /^zinit> ls$/m);
      term.keys("Enter");
      screen = await term.waitFor(/^web +running +\d+/m, "ls (list) output");
      expect(screen).toMatch(/^NAME +STATE +PID/m);

      // Up recalls earlier lines, Down goes back towards the empty line.
      term.keys("Up");
      await term.waitFor((s) => promptLine(s) === "zinit> ls", "Up: ls");
      term.keys("Up");
      await term.waitFor((s) => promptLine(s) === "zinit> logs -f beta", "Up: logs -f beta");
      term.keys("Down");
      await term.waitFor((s) => promptLine(s) === "zinit> ls", "Down: ls");
      term.keys("Down");
      await term.waitFor((s) => promptLine(s) === "zinit>", "Down: the empty line");

      // help: the commands, then the repl's own keys.
      await term.typeSeen("help", /^zinit> help$/m);
      term.keys("Enter");
      screen = await term.waitFor(/in the repl:\n(.*\n)*.*Ctrl-D +leave \(so do exit and quit\)/, "the repl's keys after help");
      expect(screen).toMatch(/^ {2}graph .*\(also: tree\)$/m);

      // tree (graph) works inside too; then exit leaves with 0.
      await term.typeSeen("tree", /^zinit> tree$/m);
      term.keys("Enter");
      await term.waitFor(/^beta \(running\)$/m, "the tree");
      await term.typeSeen("exit", /^zinit> exit$/m);
      term.keys("Enter");
      expect(await term.waitExit()).toBe(0);
    } finally {
      term.kill();
    }

    // History survives: it is in the user's state directory, private to them.
    const file = join(home, ".local", "state", "zinit", "history");
    expect(readFileSync(file, "utf8")).toBe("status web\nlogs -f beta\nls\nhelp\ntree\nexit\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await session();
    try {
      second.keys("Up");
      await second.waitFor((s) => promptLine(s) === "zinit> exit", "Up: the last line of the last session");
      second.keys("Up");
      await second.waitFor((s) => promptLine(s) === "zinit> tree", "Up: the one before");
      second.keys("C-c");
      await second.waitFor((s) => promptLine(s) === "zinit>", "the line dropped");
      await second.typeSeen("quit", /^zinit> quit$/m);
      second.keys("Enter");
      expect(await second.waitExit()).toBe(0);
    } finally {
      second.kill();
    }

    // Ctrl-D at an empty prompt leaves too.
    const third = await session();
    try {
      third.keys("C-d");
      expect(await third.waitExit()).toBe(0);
    } finally {
      third.kill();
    }
  });

  test("Ctrl-C ends a command waiting to settle; the repl goes on", async () => {
    const term = await session();
    try {
      // restart waits until web runs again; with a long stop it is still waiting when Ctrl-C comes.
      await term.typeSeen("kill web STOP", /^zinit> kill web STOP$/m);
      term.keys("Enter");
      await term.waitFor("web: sent SIGSTOP");
      await term.typeSeen("stop web --timeout 30", /^zinit> stop web --timeout 30$/m);
      term.keys("Enter");
      await Bun.sleep(300);
      term.keys("C-c");
      await term.waitFor((s) => /\^C/.test(s) && promptLine(s) === "zinit>", "the prompt after cancelling stop");
      await term.typeSeen("version", /^zinit> version$/m);
      term.keys("Enter");
      await term.waitFor(/^zinit \d+\.\d+\.\d+/m, "version ran");
    } finally {
      term.kill();
      await server.rpc("service.kill", { name: "web", signal: "CONT" }).catch(() => {});
    }
  });
});
