/**
 * A service run as `user` gets that user's login variables from /etc/passwd, as
 * systemd does for User=: HOME, USER, LOGNAME and SHELL, not root's HOME inherited
 * from zinit. The service's own `env` still wins, `group` alone changes nothing,
 * and an exec health probe sees the same environment as the service it checks.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor, withServer } from "./lib.ts";

const asRoot = process.getuid!() === 0;
const nobody = readFileSync("/etc/passwd", "utf8").split("\n").map((l) => l.split(":")).find((r) => r[0] === "nobody");

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "zinit-userenv-"));
  // The services write here as nobody.
  chmodSync(scratch, 0o777);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** A service (optionally with an exec health probe) that dumps its environment to `<name>.env`. */
function dumper(name: string, serviceLines: string, probe = false): string {
  const out = join(scratch, `${name}.env`);
  const health = probe ? `[health]\ntype = "exec"\ntarget = ${JSON.stringify(`sh -c 'env > ${join(scratch, `${name}.probe.env`)}'`)}\ninterval_ms = 50\n` : "";
  return `[service]\nexec = ["sh", "-c", ${JSON.stringify(`env > ${out}; exec sleep 100000`)}]\ndir = "/"\n${serviceLines}\n${health}`;
}

async function envOf(file: string): Promise<Record<string, string>> {
  const path = join(scratch, file);
  await waitFor(`${file} written`, () => existsSync(path) && readFileSync(path, "utf8").includes("\n"));
  return Object.fromEntries(readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

describe.skipIf(!asRoot || !nobody)("login variables of a service's user", () => {
  test("user = nobody: HOME, USER, LOGNAME, SHELL from /etc/passwd; env overrides; group alone changes nothing; the probe sees the same", async () => {
    await withServer(
      {
        plain: dumper("plain", `user = "nobody"`, true),
        homed: dumper("homed", `user = "nobody"\nenv = { HOME = "/x" }`),
        grouped: dumper("grouped", `group = "nogroup"`),
        // by number: the same passwd entry
        numeric: dumper("numeric", `user = "${nobody![2]}"`),
      },
      async () => {
        const plain = await envOf("plain.env");
        expect({ HOME: plain.HOME, USER: plain.USER, LOGNAME: plain.LOGNAME, SHELL: plain.SHELL }).toEqual({
          HOME: nobody![5]!,
          USER: "nobody",
          LOGNAME: "nobody",
          SHELL: nobody![6]!,
        });
        // Zinit's own environment is still passed on.
        expect(plain.PATH).toBe(process.env.PATH!);

        const homed = await envOf("homed.env");
        expect({ HOME: homed.HOME, USER: homed.USER, LOGNAME: homed.LOGNAME }).toEqual({ HOME: "/x", USER: "nobody", LOGNAME: "nobody" });

        // group without user: it still runs with zinit's (root's) login variables.
        const grouped = await envOf("grouped.env");
        expect(grouped.HOME).toBe(process.env.HOME!);
        expect(grouped.USER).toBe(process.env.USER!);

        const numeric = await envOf("numeric.env");
        expect({ HOME: numeric.HOME, USER: numeric.USER }).toEqual({ HOME: nobody![5]!, USER: "nobody" });

        // The exec health probe runs with the service's own environment.
        const probe = await envOf("plain.probe.env");
        for (const k of ["HOME", "USER", "LOGNAME", "SHELL", "PATH"]) expect(probe[k]).toBe(plain[k]!);
      },
    );
  });
});
