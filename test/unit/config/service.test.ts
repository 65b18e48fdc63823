import { describe, expect, test } from "bun:test";
import { DEFAULTS } from "../../../src/sdk/config/types.ts";
import { errorsOf, serviceOf, svc } from "./helpers.ts";

describe("service files: every field and its default", () => {
  test("a file with only exec gets every default", () => {
    expect(serviceOf(svc())).toEqual({
      service: {
        name: "web",
        exec: ["/bin/true"],
        dir: null,
        oneshot: false,
        status: "start",
        class: "user",
        user: null,
        group: null,
        env: {},
        env_file: [],
        ready_fd: null,
        critical: false,
      },
      dependencies: { requires: [], after: [], wants: [], conflicts: [] },
      lifecycle: {
        restart: "always",
        stop_signal: "SIGTERM",
        start_timeout_ms: 30_000,
        stop_timeout_ms: 10_000,
        restart_delay_ms: 1_000,
        restart_delay_max_ms: 60_000,
        max_restarts: 0,
        stability_period_ms: 10_000,
      },
      health: null,
      logging: { buffer_lines: 1_000, forward: true, file: null, max_size: 10_485_760, keep: 5 },
      resources: null,
    });
  });

  test("the defaults are those of DEFAULTS", () => {
    const c = serviceOf(svc("[health]\ntype = 'tcp'\ntarget = 'localhost:80'"));
    expect(c.lifecycle.start_timeout_ms).toBe(DEFAULTS.start_timeout_ms);
    expect(c.health?.interval_ms).toBe(DEFAULTS.health_interval_ms);
    expect(c.health?.timeout_ms).toBe(DEFAULTS.health_timeout_ms);
    expect(c.health?.retries).toBe(DEFAULTS.health_retries);
    expect(c.logging.buffer_lines).toBe(DEFAULTS.buffer_lines);
  });

  test("every field of a service file, given", () => {
    const c = serviceOf(
      `[service]
name = "web"
exec = "/usr/bin/my-app --daemon"
dir = "/var/lib/my-app"
oneshot = false
status = "stop"
class = "system"
user = "nobody"
group = "nogroup"
env = { RUST_LOG = "info", EMPTY = "" }
ready_fd = 4
critical = true

[dependencies]
requires = ["database"]
after = ["logger"]
wants = ["metrics"]
conflicts = ["legacy-app"]

[lifecycle]
restart = "on-failure"
stop_signal = "SIGINT"
start_timeout_ms = 1
stop_timeout_ms = 0
restart_delay_ms = 2
restart_delay_max_ms = 3
max_restarts = 4

[health]
type = "http"
target = "http://localhost:8080/health"
interval_ms = 5
timeout_ms = 6
retries = 7

[logging]
buffer_lines = 8
forward = false
`,
    );
    expect(c).toEqual({
      service: {
        name: "web",
        exec: ["/usr/bin/my-app", "--daemon"],
        dir: "/var/lib/my-app",
        oneshot: false,
        status: "stop",
        class: "system",
        user: "nobody",
        group: "nogroup",
        env: { RUST_LOG: "info", EMPTY: "" },
        env_file: [],
        ready_fd: 4,
        critical: true,
      },
      dependencies: { requires: ["database"], after: ["logger"], wants: ["metrics"], conflicts: ["legacy-app"] },
      lifecycle: {
        restart: "on-failure",
        stop_signal: "SIGINT",
        start_timeout_ms: 1,
        stop_timeout_ms: 0,
        restart_delay_ms: 2,
        restart_delay_max_ms: 3,
        max_restarts: 4,
        stability_period_ms: 10_000,
      },
      health: { type: "http", target: "http://localhost:8080/health", argv: null, interval_ms: 5, timeout_ms: 6, retries: 7 },
      logging: { buffer_lines: 8, forward: false, file: null, max_size: 10_485_760, keep: 5 },
      resources: null,
    });
  });

  test("exec as an array is taken word for word, with no splitting", () => {
    expect(serviceOf(svc().replace(`"/bin/true"`, `["/bin/echo", "a b", "$HOME", ""]`)).service.exec).toEqual([
      "/bin/echo",
      "a b",
      "$HOME",
      "",
    ]);
  });

  test("exec as a string is split like a shell, without expansion", () => {
    const c = serviceOf(`[service]\nexec = '''/bin/sh -c 'echo "$HOME"; ls | wc' ~ *'''`);
    expect(c.service.exec).toEqual(["/bin/sh", "-c", `echo "$HOME"; ls | wc`, "~", "*"]);
  });

  test("restart defaults to always, and to never for a oneshot", () => {
    expect(serviceOf(svc()).lifecycle.restart).toBe("always");
    expect(serviceOf(svc("oneshot = true")).lifecycle.restart).toBe("never");
    expect(serviceOf(svc("oneshot = true\n[lifecycle]\nrestart = 'on-failure'")).lifecycle.restart).toBe("on-failure");
    expect(serviceOf(svc("[lifecycle]\nrestart = 'never'")).lifecycle.restart).toBe("never");
  });

  test("stop_signal is normalised to the SIGTERM form from any spelling", () => {
    expect(serviceOf(svc("[lifecycle]\nstop_signal = 'hup'")).lifecycle.stop_signal).toBe("SIGHUP");
    expect(serviceOf(svc("[lifecycle]\nstop_signal = 'QUIT'")).lifecycle.stop_signal).toBe("SIGQUIT");
    expect(serviceOf(svc("[lifecycle]\nstop_signal = 'sigusr1'")).lifecycle.stop_signal).toBe("SIGUSR1");
    expect(serviceOf(svc("[lifecycle]\nstop_signal = 9")).lifecycle.stop_signal).toBe("SIGKILL");
  });

  test("user and group: a name, a numeric string, or an integer id (kept as a string)", () => {
    expect(serviceOf(svc("user = 'www-data'\ngroup = '33'")).service).toMatchObject({ user: "www-data", group: "33" });
    expect(serviceOf(svc("user = 0\ngroup = 65534")).service).toMatchObject({ user: "0", group: "65534" });
  });

  test("status and class accept each of their values", () => {
    for (const status of ["start", "stop", "ignore"]) {
      expect(serviceOf(svc(`status = "${status}"`)).service.status).toBe(status as "start");
    }
    for (const cls of ["user", "system"]) {
      expect(serviceOf(svc(`class = "${cls}"`)).service.class).toBe(cls as "user");
    }
  });

  test("names may use letters, digits and _ . @ -, and start with _ or a digit", () => {
    expect(serviceOf(svc(), "getty@tty1.toml").service.name).toBe("getty@tty1");
    expect(serviceOf(svc(), "_x.y-z.toml").service.name).toBe("_x.y-z");
    expect(serviceOf(svc(), "9p.toml").service.name).toBe("9p");
    expect(serviceOf(svc(), `${"a".repeat(128)}.toml`).service.name).toBe("a".repeat(128));
    expect(serviceOf(svc("[dependencies]\nrequires = ['getty@tty1', '_a', 'x.y']")).dependencies.requires).toEqual([
      "getty@tty1",
      "_a",
      "x.y",
    ]);
  });

  test("service.name equal to the file stem is accepted", () => {
    expect(serviceOf(svc("name = 'web'")).service.name).toBe("web");
  });

  test("health: tcp host:port (also [IPv6]:port), exec split into argv", () => {
    expect(serviceOf(svc("[health]\ntype = 'tcp'\ntarget = '127.0.0.1:5432'")).health?.target).toBe("127.0.0.1:5432");
    expect(serviceOf(svc("[health]\ntype = 'tcp'\ntarget = '[::1]:65535'")).health?.target).toBe("[::1]:65535");
    const h = serviceOf(svc(`[health]\ntype = "exec"\ntarget = "/bin/check --db 'my db'"`)).health;
    expect(h).toEqual({
      type: "exec",
      target: "/bin/check --db 'my db'",
      argv: ["/bin/check", "--db", "my db"],
      interval_ms: 10_000,
      timeout_ms: 5_000,
      retries: 3,
    });
  });

  test("durations accept 0 and the largest timer delay; a float with no fraction is an integer", () => {
    const c = serviceOf(svc("[lifecycle]\nstop_timeout_ms = 0\nstart_timeout_ms = 2147483647\nmax_restarts = 3.0"));
    expect(c.lifecycle.stop_timeout_ms).toBe(0);
    expect(c.lifecycle.start_timeout_ms).toBe(2_147_483_647);
    expect(c.lifecycle.max_restarts).toBe(3);
  });

  test("empty sections are allowed and filled with defaults", () => {
    const c = serviceOf(svc("[dependencies]\n[lifecycle]\n[logging]"));
    expect(c.dependencies).toEqual({ requires: [], after: [], wants: [], conflicts: [] });
    expect(c.lifecycle.restart).toBe("always");
    expect(c.logging).toEqual({ buffer_lines: 1_000, forward: true, file: null, max_size: 10_485_760, keep: 5 });
  });

  test("a UTF-8 byte order mark at the start is ignored", () => {
    expect(serviceOf(`\uFEFF${svc()}`).service.exec).toEqual(["/bin/true"]);
  });
});

describe("ready_fd and critical", () => {
  test("ready_fd takes an fd from 3 up; critical is a boolean", () => {
    const c = serviceOf(svc("ready_fd = 3\ncritical = true\n"));
    expect(c.service.ready_fd).toBe(3);
    expect(c.service.critical).toBe(true);
  });
  test("ready_fd 0, 1, 2, a string or a huge number is an error naming the key", () => {
    for (const bad of ["1", "2", "0", '"3"', "5000", "3.5"]) {
      const errs = errorsOf(svc(`ready_fd = ${bad}\n`));
      expect(errs.length).toBe(1);
      expect(errs[0]).toStartWith("web.toml: service.ready_fd: expected an integer from 3 to 1023");
    }
  });
  test("a oneshot cannot announce readiness", () => {
    expect(errorsOf(svc("oneshot = true\nready_fd = 3\n"))).toEqual(["web.toml: service.ready_fd: a oneshot service cannot have ready_fd: it is done when it exits"]);
  });
  test("critical must be a boolean", () => {
    expect(errorsOf(svc('critical = "yes"\n'))[0]).toContain("service.critical");
  });
});
