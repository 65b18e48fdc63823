/**
 * env_file through the compiled server: the layering (server env < login vars of
 * `user` < files in order < env), a file read again at every start, a missing or
 * bad file failing that start with a reason naming file and line (and the restart
 * policy applying), hostile files (NUL byte, 10 MB, a FIFO) that never stall the
 * server, `zinit check` reporting bad lines, and a reload that restarts the service
 * when env_file changes.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZINIT } from "../../helpers/paths.ts";
import { status, waitFor, waitState, withServer } from "../supervisor/lib.ts";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "zinit-envfile-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const asRoot = process.getuid!() === 0;

/** A service that writes its environment to `<name>.out` and sleeps; extra lines go under [service]. */
function dumper(name: string, serviceLines: string, lifecycle = 'restart_delay_ms = 100\nrestart_delay_max_ms = 100'): string {
  const out = join(scratch, `${name}.out`);
  return `[service]
exec = ["sh", "-c", ${JSON.stringify(`env > ${out}.tmp && mv ${out}.tmp ${out}; exec sleep 100000`)}]
dir = "/"
${serviceLines}
[lifecycle]
${lifecycle}
`;
}

async function envOf(name: string): Promise<Record<string, string>> {
  const path = join(scratch, `${name}.out`);
  await waitFor(`${name}.out written`, () => existsSync(path));
  const text = readFileSync(path, "utf8");
  rmSync(path);
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

const file = (name: string, text: string | Uint8Array) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

describe("env_file", () => {
  test("layers: server env < files in order < env; optional missing file skipped; quoting and export understood", async () => {
    const a = file("a.env", `# base\nexport FROM_A=a\nSHARED=from-a\nPATH_LIKE='$PATH:/x'\nQUOTED="t\\tab \\"q\\""\n`);
    const b = file("b.env", "SHARED=from-b\nOVERRIDDEN=from-b\n");
    const svc = dumper("app", `env_file = [${JSON.stringify(a)}, "-${join(scratch, "missing.env")}", ${JSON.stringify(b)}]\nenv = { OVERRIDDEN = "from-env" }`);
    await withServer({ app: svc }, async (s) => {
      const env = await envOf("app");
      expect(env.FROM_A).toBe("a");
      expect(env.SHARED).toBe("from-b");
      expect(env.OVERRIDDEN).toBe("from-env");
      expect(env.PATH_LIKE).toBe("$PATH:/x");
      expect(env.QUOTED).toBe('t\tab "q"');
      // The server's own environment is still the base.
      expect(env.PATH).toBe(process.env.PATH!);
      expect((await status(s, "app")).state).toBe("running");
    });
  });

  test.skipIf(!asRoot)("an env file overrides the login variables of user; env overrides both", async () => {
    const f = file("home.env", "HOME=/from-file\nSHELL=/from-file\n");
    const svc = dumper("app", `user = "nobody"\nenv_file = ${JSON.stringify(f)}\nenv = { SHELL = "/from-env" }`);
    // nobody must be able to write the dump next to the env file.
    chmodSync(scratch, 0o777);
    await withServer({ app: svc }, async () => {
      const env = await envOf("app");
      expect(env.USER).toBe("nobody");
      expect(env.HOME).toBe("/from-file");
      expect(env.SHELL).toBe("/from-env");
    });
  });

  test("an exec health probe sees the variables of the env files, as the service does", async () => {
    const f = file("probe.env", "FROM_FILE=yes\n");
    const svc = `[service]\nexec = ["sleep", "100000"]\nenv_file = ${JSON.stringify(f)}\n[health]\ntype = "exec"\ntarget = "sh -c 'test \\"$FROM_FILE\\" = yes'"\ninterval_ms = 50\n`;
    await withServer({ app: svc }, async (s) => {
      await waitState(s, "app", "running", /^healthy/);
    });
  });

  test("the file is read at every start: an edit applies at the next start, without a reload", async () => {
    const f = file("app.env", "VERSION=1\n");
    await withServer({ app: dumper("app", `env_file = ${JSON.stringify(f)}`) }, async (s) => {
      expect((await envOf("app")).VERSION).toBe("1");
      writeFileSync(f, "VERSION=2\n");
      const r = await s.cli("restart", "app");
      expect(r.code).toBe(0);
      expect((await envOf("app")).VERSION).toBe("2");
    });
  });

  test("a missing required file fails the start, naming it; the restart policy retries until it appears", async () => {
    const path = join(scratch, "later.env");
    await withServer({ app: dumper("app", `env_file = ${JSON.stringify(path)}`) }, async (s) => {
      const st = await waitState(s, "app", "starting", new RegExp(`^env_file ${path}: no such file; restarting in 100 ms \\(attempt \\d+\\)$`));
      expect(st.pid).toBeNull();
      writeFileSync(path, "READY=yes\n");
      await waitState(s, "app", "running");
      expect((await envOf("app")).READY).toBe("yes");
    });
  });

  test("a bad line fails the start with file and line; restart = never leaves it failed with exactly that reason", async () => {
    const f = file("bad.env", "GOOD=1\n# fine\nthis is not an assignment\n");
    const svc = dumper("app", `env_file = ${JSON.stringify(f)}`, 'restart = "never"');
    await withServer({ app: svc }, async (s) => {
      const st = await waitState(s, "app", "failed");
      expect(st.reason).toBe(`env_file ${f}: line 3: expected KEY=VALUE`);
      expect(st.exit).toBeNull();
      const out = await s.cli("status", "app");
      expect(out.stdout).toContain(`state:`);
      expect(out.stdout).toContain(`env_file ${f}: line 3: expected KEY=VALUE`);
    });
  });

  test("a NUL byte is refused with the file and the line", async () => {
    const f = file("nul.env", new Uint8Array([...Buffer.from("A=1\nB=x"), 0, ...Buffer.from("y\n")]));
    await withServer({ app: dumper("app", `env_file = ${JSON.stringify(f)}`, 'restart = "never"') }, async (s) => {
      const st = await waitState(s, "app", "failed");
      expect(st.reason).toBe(`env_file ${f}: line 2: contains a NUL byte`);
    });
  });

  test("a 10 MB env file is refused unread; a FIFO is refused without blocking; the server keeps answering", async () => {
    const big = file("big.env", Buffer.alloc(10 * 1024 * 1024, "A=1234567\n"));
    const fifo = join(scratch, "fifo.env");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    await withServer(
      {
        big: dumper("big", `env_file = ${JSON.stringify(big)}`, 'restart = "never"'),
        fifo: dumper("fifo", `env_file = ${JSON.stringify(fifo)}`, 'restart = "never"'),
        other: dumper("other", ""),
      },
      async (s) => {
        expect((await waitState(s, "big", "failed")).reason).toBe(`env_file ${big}: too large (10485760 bytes; an env file may have at most 1048576)`);
        expect((await waitState(s, "fifo", "failed")).reason).toBe(`env_file ${fifo}: not a regular file`);
        await waitState(s, "other", "running");
        const t0 = performance.now();
        await s.rpc("service.list");
        expect(performance.now() - t0).toBeLessThan(1_000);
      },
    );
  });

  test("a reload that changes env_file restarts the service; an edited file alone does not", async () => {
    const a = file("a.env", "WHICH=a\n");
    const b = file("b.env", "WHICH=b\n");
    await withServer({ app: dumper("app", `env_file = ${JSON.stringify(a)}`) }, async (s) => {
      expect((await envOf("app")).WHICH).toBe("a");
      const pid = (await status(s, "app")).pid;
      writeFileSync(a, "WHICH=a2\n");
      const same = await s.rpc("system.reload");
      expect(same.unchanged).toEqual(["app"]);
      expect((await status(s, "app")).pid).toBe(pid);
      writeFileSync(join(s.configDir, "app.toml"), dumper("app", `env_file = ${JSON.stringify(b)}`));
      const changed = await s.rpc("system.reload");
      expect(changed.changed).toEqual([{ name: "app", restarted: true }]);
      expect((await envOf("app")).WHICH).toBe("b");
      expect((await status(s, "app")).pid).not.toBe(pid);
    });
  });
});

describe("zinit check", () => {
  test("reports every bad line of the env files that exist, names file and key; a missing file is not an error", async () => {
    const conf = join(scratch, "conf");
    mkdirSync(conf);
    const bad = file("bad.env", "A=1\nnot valid\nB='open\n");
    const good = file("good.env", "A=1\n");
    writeFileSync(join(conf, "app.toml"), `[service]\nexec = "/bin/true"\nenv_file = [${JSON.stringify(good)}, ${JSON.stringify(bad)}, "${join(scratch, "missing.env")}"]\n`);
    const p = Bun.spawnSync([ZINIT, "check", conf], { env: { ...process.env, NO_COLOR: "1" } });
    const out = p.stdout.toString();
    expect(p.exitCode).toBe(1);
    expect(out.split("\n").slice(0, 2)).toEqual([
      `app.toml: service.env_file: ${bad}: line 2: expected KEY=VALUE`,
      `app.toml: service.env_file: ${bad}: line 3: unclosed single quote`,
    ]);
    expect(out).not.toContain("missing.env");
    writeFileSync(bad, "A=1\n");
    const ok = Bun.spawnSync([ZINIT, "check", conf], { env: { ...process.env, NO_COLOR: "1" } });
    expect(ok.exitCode).toBe(0);
  });
});
