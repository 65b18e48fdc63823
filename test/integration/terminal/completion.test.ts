/**
 * `zinit completion bash|zsh|fish` loaded into the real shells and driven the way
 * they complete: bash by calling the function `complete -p zinit` names with
 * COMP_WORDS/COMP_CWORD set (with and without the bash-completion package), fish
 * with `complete -C`, zsh by pressing Tab in a terminal (tmux). Service names come
 * from a live server; with the server down, completion stays quiet and quick.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { startServer, waitFor, type TestServer } from "../../helpers/server.ts";
import { buildOnce } from "../cli/build.ts";
import { hasTmux, shell } from "./lib.ts";

setDefaultTimeout(60_000);

const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

const FILES: Record<string, string> = {
  web: '[service]\nexec = "/bin/sleep 1000"\n',
  worker: '[service]\nexec = "/bin/sleep 1000"\n',
  db: '[service]\nexec = "/bin/sleep 1000"\n',
};

let server: TestServer;
let home: string;
const PATH = `${dirname(ZINIT)}:${process.env.PATH}`;

beforeAll(async () => {
  await buildOnce();
  server = await startServer(FILES);
  home = mkdtempSync(join(tmpdir(), "zinit-completion-home-"));
  await waitFor("three running", async () => ((await server.rpc("service.list")) as { state: string }[]).every((s) => s.state === "running"), 15_000);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/**
 * What bash offers for `line` (the cursor at its end): the completion function
 * registered for zinit, called as bash calls it, COMPREPLY printed one a line.
 */
function bash(line: string, opts: { withPackage?: boolean; socket?: string } = {}): { words: string[]; ms: number } {
  const script = `
    ${opts.withPackage ? `source ${BASH_COMPLETION}` : ""}
    source <(zinit completion bash)
    spec=$(complete -p zinit) || exit 9
    fn=\${spec##*-F }; fn=\${fn%% *}
    COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}
    read -ra COMP_WORDS <<<"$COMP_LINE"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
    "$fn" zinit "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\\n' "\${COMPREPLY[@]}"
  `;
  const started = Date.now();
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", script, "bash", line], {
    encoding: "utf8",
    cwd: home,
    env: { ...process.env, PATH, HOME: home, ZINIT_SOCKET: opts.socket ?? server.socket },
  });
  if (r.status !== 0) throw new Error(`bash exited ${r.status}: ${r.stderr}`);
  expect(r.stderr).toBe("");
  return { words: r.stdout.split("\n").filter((w) => w !== ""), ms: Date.now() - started };
}

describe("bash", () => {
  for (const withPackage of [false, true]) {
    const label = withPackage ? "with bash-completion loaded" : "bash alone";
    test.skipIf(withPackage && !existsSync(BASH_COMPLETION))(`${label}: verbs, flags, names from the server, signals, paths`, () => {
      const opts = { withPackage };
      expect(bash("zinit sta", opts).words).toEqual(["start", "start-all", "status"]);
      expect(bash("zinit l", opts).words).toEqual(["list", "logs", "ls"]);
      expect(bash("zinit tr", opts).words).toEqual(["tree"]);
      expect(bash("zinit status ", opts).words).toEqual(["db", "web", "worker"]);
      expect(bash("zinit status web w", opts).words).toEqual(["worker"]);
      expect(bash("zinit logs web ", opts).words).toEqual(["db", "worker"]);
      expect(bash("zinit kill web SIGTE", opts).words).toEqual(["SIGTERM"]);
      expect(bash("zinit kill web hu", opts).words).toEqual(["hup"]);
      expect(bash("zinit logs --f", opts).words).toEqual(["--follow"]);
      expect(bash("zinit start --no", opts).words).toEqual(["--no-wait"]);
      expect(bash("zinit completion ", opts).words).toEqual(["bash", "fish", "zsh"]);
      // A path where a verb takes a directory: the shell's own file completion.
      expect(bash(`zinit check ${dirname(server.configDir)}/serv`, opts).words).toEqual([server.configDir]);
    });
  }

  test("the names come from the server the line names with --socket", async () => {
    const other = await startServer({ solo: '[service]\nexec = "/bin/sleep 1000"\n' });
    try {
      expect(bash(`zinit --socket ${other.socket} status `).words).toEqual(["solo"]);
      expect(bash("zinit status ").words).toEqual(["db", "web", "worker"]);
    } finally {
      await other.stop();
    }
  });

  test("with the server down: no names, nothing on stderr, no wait", () => {
    const down = bash("zinit status ", { socket: join(home, "nobody.sock") });
    expect(down.words).toEqual([]);
    expect(down.ms).toBeLessThan(3000);
    expect(bash("zinit sta", { socket: join(home, "nobody.sock") }).words).toEqual(["start", "start-all", "status"]);
  });

  test("with a server that accepts but never answers: no names after the short deadline", async () => {
    const path = join(home, "mute.sock");
    const mute = createServer(() => {}).listen(path);
    await new Promise((resolve) => mute.once("listening", resolve));
    try {
      // spawnSync would block this process, which must keep accepting: run bash asynchronously.
      const started = Date.now();
      const p = Bun.spawn(["bash", "--norc", "--noprofile", "-c", `source <(zinit completion bash); COMP_WORDS=(zinit status ""); COMP_CWORD=2; _zinit_complete; echo "n=\${#COMPREPLY[@]}"`], {
        env: { ...process.env, PATH, HOME: home, ZINIT_SOCKET: path },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      expect(out.trim()).toBe("n=0");
      expect(err).toBe("");
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      mute.close();
    }
  });
});

function fish(line: string): string[] {
  const r = spawnSync("fish", ["--no-config", "-c", `zinit completion fish | source; complete -C${quoteFish(line)}`], {
    encoding: "utf8",
    cwd: home,
    env: { ...process.env, PATH, HOME: home, ZINIT_SOCKET: server.socket },
  });
  if (r.status !== 0) throw new Error(`fish exited ${r.status}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

function quoteFish(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

describe.skipIf(!has("fish"))("fish", () => {
  test("verbs with their summaries, names with their state, signals, flags, directories", () => {
    expect(fish("zinit sta")).toEqual([
      "start\tstart and wait until settled",
      "start-all\tstart every user-class service (not ignored ones)",
      "status\tfull status of each service",
    ]);
    expect(fish("zinit status w")).toEqual(["web\trunning", "worker\trunning"]);
    expect(fish("zinit kill db SIGKI")).toEqual(["SIGKILL"]);
    expect(fish("zinit logs --fo")).toEqual(["--follow\tkeep printing new lines"]);
    expect(fish(`zinit check ${dirname(server.configDir)}/serv`).map((l) => l.split("\t")[0])).toEqual([`${server.configDir}/`]);
  });
});

describe.skipIf(!hasTmux || !has("zsh"))("zsh", () => {
  test("Tab in a zsh with compinit: a verb, a service name from the server, a signal", async () => {
    const term = await shell({
      shell: ["zsh", "-f"],
      width: 100,
      height: 20,
      env: { PATH, HOME: home, ZINIT_SOCKET: server.socket, PS1: "$ " },
    });
    try {
      term.type("autoload -Uz compinit && compinit -u && source <(zinit completion zsh) && echo loaded");
      term.keys("Enter");
      await term.waitFor(/^loaded$/m, "the script loaded");
      await term.typeSeen("zinit stat", /^\$ zinit stat$/m);
      term.keys("Tab");
      await term.waitFor(/^\$ zinit status$/m, "status completed");
      // The completion's blank is there (capture-pane cuts trailing blanks, so type after it).
      await term.typeSeen("wo", /^\$ zinit status wo$/m);
      term.keys("Tab");
      await term.waitFor(/^\$ zinit status worker$/m, "worker completed from the server");
      term.keys("C-u");
      await term.typeSeen("zinit kill db SIGKI", /^\$ zinit kill db SIGKI$/m);
      term.keys("Tab");
      await term.waitFor(/^\$ zinit kill db SIGKILL$/m, "SIGKILL completed");
      term.keys("C-u");
      await term.typeSeen("zinit sto", /^\$ zinit sto$/m);
      term.keys("Tab");
      await term.waitFor(/^\$ zinit stop$/m, "sto extended to what stop and stop-all share");
      term.keys("Tab");
      // Several matches: zsh lists them with their descriptions.
      const screen = await term.waitFor(/stop-all +-- stop every user-class service/, "the verbs with descriptions");
      expect(screen).toMatch(/stop +-- stop and wait until settled/);
    } finally {
      term.kill();
    }
  });
});
