/**
 * The control socket is created with mode 0600 (docs/protocol.md): only its owner
 * may connect. An unprivileged user is refused by the kernel; as a control, the
 * same user gets through once the mode is widened — so the refusal is the mode's
 * doing, not the directory's or the client's.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, ZINIT } from "../../helpers/paths.ts";
import { service, waitState, withServer } from "./lib.ts";

const BUN = join(ROOT, "node_modules", ".bin", "bun");
const asRoot = process.getuid!() === 0;

const CONNECT = `
const net = require("node:net");
const s = net.createConnection({ path: process.argv[1] });
s.on("error", (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(0); });
s.on("connect", () => {
  s.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "service.list" }) + "\\n");
  s.once("data", (d) => { console.log(JSON.stringify({ answer: JSON.parse(String(d).split("\\n")[0]) })); process.exit(0); });
});
setTimeout(() => { console.log(JSON.stringify({ error: "timeout" })); process.exit(0); }, 5000);
`;

async function asNobody(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", NO_COLOR: "1" },
    cwd: "/tmp",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

describe("socket permissions", () => {
  test("the socket is a socket of mode 0600 owned by the server's user", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      const st = statSync(s.socket);
      expect(st.isSocket()).toBe(true);
      expect((st.mode & 0o777).toString(8)).toBe("600");
      expect(st.uid).toBe(process.getuid!());
    });
  });

  test.skipIf(!asRoot)("a client running as nobody is refused (EACCES); widening the mode lets it in", async () => {
    await withServer({ web: service(["sleep", "1000"]) }, async (s) => {
      await waitState(s, "web", "running");
      chmodSync(s.dir, 0o755); // the temp dir is 0700: let nobody reach the socket itself
      const refused = await asNobody([BUN, "-e", CONNECT, s.socket]);
      expect(JSON.parse(refused.stdout.trim())).toEqual({ error: "EACCES" });

      // the CLI as nobody: exit 4, naming the socket
      const cli = await asNobody([ZINIT, "--socket", s.socket, "list"]);
      expect(cli.code).toBe(4);
      expect(cli.stderr + cli.stdout).toContain(s.socket);

      // control: the same client connects when the mode allows it
      chmodSync(s.socket, 0o666);
      try {
        const let_in = await asNobody([BUN, "-e", CONNECT, s.socket]);
        const out = JSON.parse(let_in.stdout.trim());
        expect(out.answer.id).toBe(1);
        expect(out.answer.result[0].name).toBe("web");
      } finally {
        chmodSync(s.socket, 0o600);
      }
    });
  });
});
