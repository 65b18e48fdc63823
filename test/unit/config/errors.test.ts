import { describe, expect, test } from "bun:test";
import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { errorsOf, svc } from "./helpers.ts";

describe("service files: every kind of error names the file, the key and what was expected", () => {
  test("a wrong type names the expected type and the received value", () => {
    expect(errorsOf(svc("oneshot = 'yes'"))).toEqual(['web.toml: service.oneshot: expected boolean, got "yes"']);
    expect(errorsOf(svc("dir = 3"))).toEqual(["web.toml: service.dir: expected string, got 3"]);
    expect(errorsOf(svc("env = 'A=1'"))).toEqual(['web.toml: service.env: expected table, got "A=1"']);
    expect(errorsOf(svc("env = { A = 1 }"))).toEqual(["web.toml: service.env.A: expected string, got 1"]);
    expect(errorsOf(svc("[logging]\nforward = 1"))).toEqual(["web.toml: logging.forward: expected boolean, got 1"]);
    expect(errorsOf(svc("[dependencies]\nrequires = 'db'"))).toEqual([
      'web.toml: dependencies.requires: expected array, got "db"',
    ]);
    expect(errorsOf(svc("[dependencies]\nafter = [1]"))).toEqual(["web.toml: dependencies.after.0: expected string, got 1"]);
  });

  test("a section that is not a table", () => {
    expect(errorsOf("service = 3")).toEqual(["web.toml: service: expected table, got 3"]);
    expect(errorsOf("lifecycle = [1]\n[service]\nexec = 'x'")).toEqual(["web.toml: lifecycle: expected table, got array"]);
    expect(errorsOf("service = 1979-05-27")).toEqual(["web.toml: service: expected table, got datetime"]);
    expect(errorsOf(svc("env = ['A=1']"))).toEqual(["web.toml: service.env: expected table, got array"]);
  });

  test("a datetime is named as such", () => {
    expect(errorsOf(svc("[lifecycle]\nstop_timeout_ms = 1979-05-27"))).toEqual([
      "web.toml: lifecycle.stop_timeout_ms: expected a non-negative integer, got datetime",
    ]);
  });

  test("an unknown key in a section says unknown key, every one of them", () => {
    expect(errorsOf(svc("restrt = 'always'\nfoo = 1"))).toEqual([
      "web.toml: service.restrt: unknown key",
      "web.toml: service.foo: unknown key",
    ]);
    expect(errorsOf(svc("[lifecycle]\nrestart_delay = 1"))).toEqual(["web.toml: lifecycle.restart_delay: unknown key"]);
    expect(errorsOf(svc("[health]\ntype = 'tcp'\ntarget = 'h:1'\nport = 1"))).toEqual(["web.toml: health.port: unknown key"]);
  });

  test("an unknown table at the top level is an unknown section; any other value an unknown key", () => {
    expect(errorsOf(svc("[dependency]\nrequires = []"))).toEqual(["web.toml: dependency: unknown section"]);
    expect(errorsOf(svc().replace("[service]", "top = 1\n[service]"))).toEqual(["web.toml: top: unknown key"]);
  });

  test("a bad enum value lists the allowed values", () => {
    expect(errorsOf(svc("[lifecycle]\nrestart = 'sometimes'"))).toEqual([
      'web.toml: lifecycle.restart: expected "always" | "on-failure" | "never", got "sometimes"',
    ]);
    expect(errorsOf(svc("status = 'started'"))).toEqual([
      'web.toml: service.status: expected "start" | "stop" | "ignore", got "started"',
    ]);
    expect(errorsOf(svc("class = 'root'"))).toEqual(['web.toml: service.class: expected "user" | "system", got "root"']);
    expect(errorsOf(svc("[health]\ntype = 'udp'\ntarget = 'h:1'"))).toEqual([
      'web.toml: health.type: expected "tcp" | "http" | "exec", got "udp"',
    ]);
  });

  test("a missing required key", () => {
    expect(errorsOf("[service]\ndir = '/'")).toEqual(["web.toml: service.exec: missing required key"]);
    expect(errorsOf(svc("[health]\ntype = 'tcp'"))).toEqual(["web.toml: health.target: missing required key"]);
    expect(errorsOf(svc("[health]\ntarget = 'h:1'"))).toEqual(["web.toml: health.type: missing required key"]);
  });

  test("bad names in dependency lists say what is wrong with them", () => {
    expect(errorsOf(svc("[dependencies]\nrequires = ['ok', '-db', 'a b', '', 'x/y']"))).toEqual([
      'web.toml: dependencies.requires.1: must start with a letter, digit or "_", got "-db"',
      'web.toml: dependencies.requires.2: may contain only ASCII letters, digits and "_.@-", got "a b"',
      "web.toml: dependencies.requires.3: must not be empty",
      'web.toml: dependencies.requires.4: may contain only ASCII letters, digits and "_.@-", got "x/y"',
    ]);
    expect(errorsOf(svc(`[dependencies]\nwants = ['${"a".repeat(129)}']`))).toEqual([
      "web.toml: dependencies.wants.0: must be at most 128 characters, got 129",
    ]);
    expect(errorsOf(svc("name = '.hidden'"))).toEqual([
      'web.toml: service.name: must start with a letter, digit or "_", got ".hidden"',
    ]);
  });

  test("a file stem that is not a valid name is a whole-file error", () => {
    expect(errorsOf(svc(), "my app.toml")).toEqual([
      'my app.toml: file name "my app" is not a valid name: may contain only ASCII letters, digits and "_.@-", got "my app"',
    ]);
    expect(errorsOf(svc(), "/etc/zinit/services/-x.toml")).toEqual([
      '-x.toml: file name "-x" is not a valid name: must start with a letter, digit or "_", got "-x"',
    ]);
  });

  test("service.name must equal the file stem", () => {
    expect(errorsOf(svc("name = 'webx'"))).toEqual(['web.toml: service.name: must equal the file name "web", got "webx"']);
    expect(errorsOf(svc("name = 'web'"), "/etc/zinit/services/Web.toml")).toEqual([
      'Web.toml: service.name: must equal the file name "Web", got "web"',
    ]);
  });

  test("empty exec, in every form", () => {
    expect(errorsOf('[service]\nexec = ""')).toEqual(["web.toml: service.exec: must not be empty"]);
    expect(errorsOf('[service]\nexec = "   "')).toEqual(["web.toml: service.exec: must not be empty"]);
    expect(errorsOf("[service]\nexec = []")).toEqual(["web.toml: service.exec: must not be empty"]);
    expect(errorsOf('[service]\nexec = ["", "x"]')).toEqual(["web.toml: service.exec.0: the program must not be empty"]);
    expect(errorsOf(`[service]\nexec = "'' x"`)).toEqual([
      "web.toml: service.exec: the program (first word) must not be empty",
    ]);
  });

  test("exec of the wrong type, and bad array elements each reported", () => {
    expect(errorsOf("[service]\nexec = 5")).toEqual(["web.toml: service.exec: expected string or array of strings, got 5"]);
    expect(errorsOf('[service]\nexec = ["/bin/x", 1, true]')).toEqual([
      "web.toml: service.exec.1: expected string, got 1",
      "web.toml: service.exec.2: expected string, got true",
    ]);
  });

  test("an exec with an unbalanced quote or a trailing backslash", () => {
    expect(errorsOf(`[service]\nexec = "/bin/sh -c 'echo hi"`)).toEqual(["web.toml: service.exec: unbalanced single quote"]);
    expect(errorsOf(`[service]\nexec = '/bin/echo "hi'`)).toEqual(["web.toml: service.exec: unbalanced double quote"]);
    expect(errorsOf(`[service]\nexec = '/bin/echo \\'`)).toEqual(["web.toml: service.exec: trailing backslash"]);
  });

  test("a NUL character cannot be passed to a process", () => {
    expect(errorsOf('[service]\nexec = ["/bin/x", "a\\u0000b"]')).toEqual([
      "web.toml: service.exec.1: must not contain a NUL character",
    ]);
    expect(errorsOf(svc('env = { A = "a\\u0000" }'))).toEqual(["web.toml: service.env.A: must not contain a NUL character"]);
  });

  test("env keys must be usable variable names", () => {
    expect(errorsOf(svc('env = { "A=B" = "x" }'))).toEqual([
      'web.toml: service.env."A=B": expected a variable name (non-empty, without "="), got "A=B"',
    ]);
  });

  test("dir must be an absolute path", () => {
    expect(errorsOf(svc("dir = 'var/lib'"))).toEqual(['web.toml: service.dir: expected an absolute path, got "var/lib"']);
  });

  test("user and group: no empty names, blanks, negative or huge ids", () => {
    expect(errorsOf(svc("user = ''\ngroup = -1"))).toEqual([
      'web.toml: service.user: expected a user or group name or a numeric id, got ""',
      "web.toml: service.group: expected a user or group name or a numeric id, got -1",
    ]);
    expect(errorsOf(svc("user = 'a b'\ngroup = 4294967295"))).toEqual([
      'web.toml: service.user: expected a user or group name or a numeric id, got "a b"',
      "web.toml: service.group: expected a user or group name or a numeric id, got 4294967295",
    ]);
  });

  test("a bad signal", () => {
    expect(errorsOf(svc("[lifecycle]\nstop_signal = 'SIGFOO'"))).toEqual([
      'web.toml: lifecycle.stop_signal: expected a signal name like "SIGTERM", got "SIGFOO"',
    ]);
    expect(errorsOf(svc("[lifecycle]\nstop_signal = 0"))).toEqual([
      'web.toml: lifecycle.stop_signal: expected a signal name like "SIGTERM", got 0',
    ]);
    expect(errorsOf(svc("[lifecycle]\nstop_signal = true"))).toEqual([
      'web.toml: lifecycle.stop_signal: expected a signal name like "SIGTERM", got true',
    ]);
  });

  test("bad durations: negative, float, string, too large", () => {
    expect(errorsOf(svc("[lifecycle]\nstop_timeout_ms = -1"))).toEqual([
      "web.toml: lifecycle.stop_timeout_ms: expected a non-negative integer, got -1",
    ]);
    expect(errorsOf(svc("[lifecycle]\nstart_timeout_ms = 1.5"))).toEqual([
      "web.toml: lifecycle.start_timeout_ms: expected a non-negative integer, got 1.5",
    ]);
    expect(errorsOf(svc("[lifecycle]\nrestart_delay_ms = '10s'"))).toEqual([
      'web.toml: lifecycle.restart_delay_ms: expected a non-negative integer, got "10s"',
    ]);
    expect(errorsOf(svc("[lifecycle]\nstop_timeout_ms = 2147483648"))).toEqual([
      "web.toml: lifecycle.stop_timeout_ms: expected at most 2147483647, got 2147483648",
    ]);
    expect(errorsOf(svc("[lifecycle]\nmax_restarts = inf"))).toEqual([
      "web.toml: lifecycle.max_restarts: expected a non-negative integer, got inf",
    ]);
  });

  test("health intervals, timeouts and retries, and buffer_lines, must be at least 1", () => {
    expect(errorsOf(svc("[health]\ntype = 'tcp'\ntarget = 'h:1'\ninterval_ms = 0\ntimeout_ms = 0\nretries = 0"))).toEqual([
      "web.toml: health.interval_ms: expected a positive integer, got 0",
      "web.toml: health.timeout_ms: expected a positive integer, got 0",
      "web.toml: health.retries: expected a positive integer, got 0",
    ]);
    expect(errorsOf(svc("[logging]\nbuffer_lines = 0"))).toEqual([
      "web.toml: logging.buffer_lines: expected a positive integer, got 0",
    ]);
  });

  test("restart_delay_max_ms below restart_delay_ms, written or defaulted", () => {
    expect(errorsOf(svc("[lifecycle]\nrestart_delay_ms = 5000\nrestart_delay_max_ms = 1000"))).toEqual([
      "web.toml: lifecycle: restart_delay_max_ms (1000) must be at least restart_delay_ms (5000)",
    ]);
    expect(errorsOf(svc("[lifecycle]\nrestart_delay_ms = 120000"))).toEqual([
      "web.toml: lifecycle: restart_delay_max_ms (60000) must be at least restart_delay_ms (120000)",
    ]);
  });

  test("a oneshot cannot have a [health] section, even a broken one", () => {
    expect(errorsOf(svc("oneshot = true\n[health]\ntype = 'tcp'\ntarget = 'h:1'"))).toEqual([
      "web.toml: health: a oneshot service cannot have a [health] section",
    ]);
    expect(errorsOf(svc("oneshot = true\n[health]\ntype = 'tcp'"))).toEqual([
      "web.toml: health.target: missing required key",
      "web.toml: health: a oneshot service cannot have a [health] section",
    ]);
  });

  test("a oneshot may restart always (it retries only on failure)", () => {
    const r = parseUnit(svc("oneshot = true\n[lifecycle]\nrestart = 'always'"), "web.toml");
    expect("unit" in r && r.unit.kind === "service" && r.unit.config.lifecycle.restart).toBe("always");
  });

  test("bad tcp targets", () => {
    for (const target of ["localhost", "localhost:0", "localhost:65536", ":80", "h:80x", "a b:1", "h:-1", "::1:80"]) {
      expect(errorsOf(svc(`[health]\ntype = 'tcp'\ntarget = '${target}'`))).toEqual([
        `web.toml: health.target: expected "host:port" with a port from 1 to 65535, got "${target}"`,
      ]);
    }
  });

  test("bad http targets", () => {
    for (const target of ["localhost:8080/health", "https://h/health", "ftp://h", "http://"]) {
      expect(errorsOf(svc(`[health]\ntype = 'http'\ntarget = '${target}'`))).toEqual([
        `web.toml: health.target: expected an http:// URL, got "${target}"`,
      ]);
    }
  });

  test("bad exec health targets", () => {
    expect(errorsOf(svc(`[health]\ntype = 'exec'\ntarget = "check 'x"`))).toEqual([
      "web.toml: health.target: unbalanced single quote",
    ]);
    expect(errorsOf(svc(`[health]\ntype = 'exec'\ntarget = ""`))).toEqual(["web.toml: health.target: must not be empty"]);
  });

  test("a unit cannot depend on itself", () => {
    expect(errorsOf(svc("[dependencies]\nrequires = ['db', 'web']\nafter = ['web']\nwants = ['web']"))).toEqual([
      "web.toml: dependencies.requires.1: a unit cannot require itself",
      "web.toml: dependencies.after.0: a unit cannot be ordered after itself",
      "web.toml: dependencies.wants.0: a unit cannot want itself",
    ]);
    expect(errorsOf(svc("[dependencies]\nconflicts = ['web']"))).toEqual([
      "web.toml: dependencies.conflicts.0: a unit cannot conflict with itself",
    ]);
  });

  test("a name cannot be both needed and conflicted with", () => {
    expect(errorsOf(svc("[dependencies]\nwants = ['db']\nconflicts = ['db']"))).toEqual([
      'web.toml: dependencies.conflicts: "db" is also in requires or wants',
    ]);
  });

  test("a TOML syntax error is one whole-file issue with line and column", () => {
    expect(errorsOf('[service]\nexec = "/bin/true"\nstatus = \n')).toEqual([
      "web.toml: TOML syntax error at line 3, column 10: invalid value",
    ]);
    expect(errorsOf('[service]\nexec = "x"\nexec = "y"')).toEqual([
      "web.toml: TOML syntax error at line 3, column 1: trying to redefine an already defined table or value",
    ]);
  });

  test("a file with neither or both of [service] and [target]", () => {
    expect(errorsOf("")).toEqual(["web.toml: expected a [service] or a [target] section"]);
    expect(errorsOf("[lifecycle]\nrestart = 'always'")).toEqual(["web.toml: expected a [service] or a [target] section"]);
    expect(errorsOf("[service]\nexec = 'x'\n[target]")).toEqual([
      "web.toml: a file defines either a [service] or a [target], not both",
    ]);
  });

  test("every problem of a file is reported at once, with structured fields", () => {
    const result = parseUnit(
      `[service]
name = "webx"
exec = "/bin/sh -c 'oops"
restrt = "always"
[dependencies]
requires = ["-bad"]
[lifecycle]
restart = "sometimes"
stop_timeout_ms = -5
[health]
type = "tcp"
target = "nohost"
[logging]
buffer_lines = "many"
`,
      "/etc/zinit/services/web.toml",
    );
    expect(result).toEqual({
      errors: [
        { file: "web.toml", path: "service.exec", message: "unbalanced single quote" },
        { file: "web.toml", path: "service.restrt", message: "unknown key" },
        { file: "web.toml", path: "dependencies.requires.0", message: 'must start with a letter, digit or "_", got "-bad"' },
        { file: "web.toml", path: "lifecycle.restart", message: 'expected "always" | "on-failure" | "never", got "sometimes"' },
        { file: "web.toml", path: "lifecycle.stop_timeout_ms", message: "expected a non-negative integer, got -5" },
        {
          file: "web.toml",
          path: "health.target",
          message: 'expected "host:port" with a port from 1 to 65535, got "nohost"',
        },
        { file: "web.toml", path: "logging.buffer_lines", message: 'expected a positive integer, got "many"' },
        { file: "web.toml", path: "service.name", message: 'must equal the file name "web", got "webx"' },
      ],
    });
  });

  test("long string values are cut in messages", () => {
    expect(errorsOf(svc(`status = "${"x".repeat(100)}"`))).toEqual([
      `web.toml: service.status: expected "start" | "stop" | "ignore", got "${"x".repeat(60)}…"`,
    ]);
  });
});
