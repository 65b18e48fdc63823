/**
 * User mode on Linux, as uid 65534 (nobody) with setpriv and a temp HOME: a server
 * run without root picks its own socket ($XDG_RUNTIME_DIR, else a private
 * directory under /tmp) and ~/.config/zinit/services; the user's CLI finds it, and
 * falls back to the machine's socket when no server of theirs runs; root always
 * uses the machine's socket; flags and ZINIT_* win. The machine's socket is only
 * ever used inside a private mount namespace with its own /run.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { waitFor } from "../../helpers/server.ts";
import { buildOnce } from "../cli/build.ts";

setDefaultTimeout(60_000);

const UID = 65534;
const canRun = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v setpriv && command -v unshare"]).status === 0;
const AS_USER = ["setpriv", `--reuid=${UID}`, `--regid=${UID}`, "--clear-groups"];

let home: string;
let runtime: string;

/** A file owned by the test user. */
function ownFile(path: string, text: string): void {
  writeFileSync(path, text);
  chownSync(path, UID, UID);
}

function ownDir(path: string, mode = 0o755): void {
  mkdirSync(path, { recursive: true });
  chownSync(path, UID, UID);
  chmodSync(path, mode);
}

/** The environment of the user's session: their HOME, no ZINIT_* from the test run. */
function userEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: home, NO_COLOR: "1", LANG: "C", ...extra };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

function cliAsUser(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(AS_USER[0]!, [...AS_USER.slice(1), ZINIT, ...args], { encoding: "utf8", env, cwd: home });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `zinit server` as the user, stopped with SIGTERM (setpriv execs, so the pid is the server's). */
async function serverAsUser(args: string[], env: Record<string, string>, cwd = home) {
  const proc = Bun.spawn([...AS_USER, ZINIT, "server", ...args], { env, cwd, stdout: "pipe", stderr: "pipe" });
  let out = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const c of stream) out += dec.decode(c, { stream: true });
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill("SIGTERM");
      const done = await Promise.race([proc.exited, Bun.sleep(8000).then(() => null)]);
      if (done === null) proc.kill("SIGKILL");
    },
  };
}

beforeAll(async () => {
  await buildOnce();
  home = mkdtempSync(join(tmpdir(), "zinit-user-home-"));
  ownDir(home, 0o755);
  ownDir(join(home, ".config", "zinit", "services"));
  chownSync(join(home, ".config"), UID, UID);
  chownSync(join(home, ".config", "zinit"), UID, UID);
  ownFile(join(home, ".config", "zinit", "services", "mine.toml"), '[service]\nexec = "/bin/sleep 1000"\n');
  runtime = join(home, "runtime");
  ownDir(runtime, 0o700);
}, 60_000);

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

describe.skipIf(!canRun)("user mode as uid 65534", () => {
  test("$XDG_RUNTIME_DIR set: the socket there (0600, theirs), services from ~/.config/zinit/services; their CLI finds it", async () => {
    const env = userEnv({ XDG_RUNTIME_DIR: runtime });
    const server = await serverAsUser([], env);
    const socket = join(runtime, "zinit.sock");
    try {
      await waitFor("the user's socket", () => existsSync(socket), 10_000);
      const st = lstatSync(socket);
      expect(st.isSocket()).toBe(true);
      expect(st.uid).toBe(UID);
      expect(st.mode & 0o777).toBe(0o600);
      await waitFor("mine running", () => /^mine +running/m.test(cliAsUser(["list"], env).stdout), 10_000);
      const info = JSON.parse(cliAsUser(["info", "--json"], env).stdout) as { paths: { socket: string; config_dir: string } };
      expect(info.paths).toMatchObject({ socket, config_dir: join(home, ".config", "zinit", "services") });
    } finally {
      await server.stop();
    }
    expect(server.output()).toContain(`on ${socket}`);
  });

  test("$XDG_RUNTIME_DIR unset: a private /tmp/zinit-65534 (0700, theirs); `zinit server --config-dir services` in a project", async () => {
    const dir = `/tmp/zinit-${UID}`;
    const existed = existsSync(dir);
    const project = join(home, "project");
    ownDir(join(project, "services"));
    ownFile(join(project, "services", "api.toml"), '[service]\nexec = "/bin/sleep 1000"\n');
    const env = userEnv();
    const server = await serverAsUser(["--config-dir", "services"], env, project);
    try {
      await waitFor("the socket in the private directory", () => existsSync(join(dir, "zinit.sock")), 10_000);
      const st = statSync(dir);
      expect(st.uid).toBe(UID);
      expect(st.mode & 0o777).toBe(0o700);
      await waitFor("api running", () => /^api +running/m.test(cliAsUser(["list"], env).stdout), 10_000);
    } finally {
      await server.stop();
      if (!existed) rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a /tmp directory of that name owned by someone else is refused, naming the way around", async () => {
    const uid = 65533;
    const dir = `/tmp/zinit-${uid}`;
    if (existsSync(dir)) return; // not ours to touch
    mkdirSync(dir, { mode: 0o777 });
    try {
      const r = spawnSync("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", ZINIT, "server", "--config-dir", "/nonexistent"], {
        encoding: "utf8",
        env: userEnv({ HOME: "/nonexistent" }),
        timeout: 10_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${dir} belongs to uid 0, not to uid ${uid}`);
      expect(r.stderr).toContain("set XDG_RUNTIME_DIR, ZINIT_SOCKET or --socket");
      expect(existsSync(join(dir, "zinit.sock"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the CLI falls back to the machine's socket; root uses it; flags and ZINIT_SOCKET win (in a mount namespace with its own /run)", () => {
    const sys = join(home, "system-services");
    ownDir(sys);
    ownFile(join(sys, "sysvc.toml"), '[service]\nexec = "/bin/sleep 1000"\n');
    // Everything runs inside one private mount namespace whose /run is a fresh tmpfs,
    // so /run/zinit.sock there is not the machine's. The "machine's" server runs as the
    // user too, so that the user may connect to it (a root one would be 0600).
    const pids = join(home, "namespace-pids");
    const script = `
      set -u
      mount -t tmpfs tmpfs /run || exit 90
      chmod 1777 /run
      as_user() { setpriv --reuid=${UID} --regid=${UID} --clear-groups "$@"; }
      wait_sock() { for i in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.05; done; echo "no socket $1" >&2; return 1; }
      # exec: $! is then the server itself, and its output does not hold our pipes open.
      (exec setpriv --reuid=${UID} --regid=${UID} --clear-groups env ZINIT_SOCKET= ${ZINIT} server --socket /run/zinit.sock --config-dir ${sys} >/dev/null 2>&1) & sysd=$!
      echo $sysd >> ${pids}
      trap 'kill -TERM $(cat ${pids}) 2>/dev/null' EXIT
      wait_sock /run/zinit.sock || exit 91
      for i in $(seq 100); do as_user ${ZINIT} list 2>/dev/null | grep -q '^sysvc *running' && break; sleep 0.05; done
      echo "== user, no server of theirs"; as_user ${ZINIT} list
      (exec setpriv --reuid=${UID} --regid=${UID} --clear-groups ${ZINIT} server >/dev/null 2>&1) & userd=$!
      echo $userd >> ${pids}
      wait_sock ${runtime}/zinit.sock || exit 92
      for i in $(seq 100); do as_user ${ZINIT} list 2>/dev/null | grep -q '^mine *running' && break; sleep 0.05; done
      echo "== user, their server up"; as_user ${ZINIT} list
      echo "== user, --socket"; as_user ${ZINIT} --socket /run/zinit.sock list
      echo "== user, ZINIT_SOCKET"; ZINIT_SOCKET=/run/zinit.sock as_user ${ZINIT} list
      echo "== root"; ${ZINIT} list
      kill -TERM $userd $sysd; wait $userd $sysd
      echo "== user, nothing up"; as_user ${ZINIT} list; echo "exit $?"
    `;
    const r = spawnSync("unshare", ["--mount", "--propagation", "private", "bash", "-c", script], {
      encoding: "utf8",
      env: userEnv({ XDG_RUNTIME_DIR: runtime }),
      timeout: 45_000,
    });
    // Whatever happened, no server of the namespace outlives the test (by pid, as started).
    if (existsSync(pids)) {
      for (const pid of readFileSync(pids, "utf8").split(/\s+/).filter(Boolean).map(Number)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
    expect(r.status).toBe(0);
    const section = (title: string) => r.stdout.split(`== ${title}\n`)[1]?.split("\n== ")[0] ?? "";
    expect(section("user, no server of theirs")).toMatch(/^sysvc +running/m);
    expect(section("user, their server up")).toMatch(/^mine +running/m);
    expect(section("user, their server up")).not.toContain("sysvc");
    expect(section("user, --socket")).toMatch(/^sysvc +running/m);
    expect(section("user, ZINIT_SOCKET")).toMatch(/^sysvc +running/m);
    expect(section("root")).toMatch(/^sysvc +running/m);
    expect(section("user, nothing up")).toContain("exit 4");
    // Both sockets tried are named, each with its reason.
    expect(r.stderr).toContain(`cannot reach a zinit server at ${runtime}/zinit.sock: ENOENT or at /run/zinit.sock: ENOENT`);
  });
});
