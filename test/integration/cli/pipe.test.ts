/**
 * A reader that goes away early (`zinit logs ... | head -1`) must end the CLI quietly
 * with status 0, not with Bun's uncaught EPIPE report and status 1.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startServer, stateOf, waitFor, type TestServer } from "../../helpers/server.ts";
import { ZINIT } from "../../helpers/paths.ts";
import { buildOnce } from "./build.ts";

let server: TestServer;

beforeAll(async () => {
  await buildOnce();
  server = await startServer({
    // 20,000 lines of ~60 bytes: far more than a pipe buffer holds.
    chatty: '[service]\nexec = "sh -c \'seq -f %058g 20000\'"\noneshot = true\n\n[logging]\nbuffer_lines = 20000\nforward = false\n',
  });
  await waitFor("chatty exited", async () => (await stateOf(server, "chatty")).state === "exited");
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function throughHead(args: string[]): Promise<{ zinitStatus: number; stderr: string; firstLine: string }> {
  // bash reports the left side's status in PIPESTATUS; head leaves after one line.
  const script = `"$@" 2>"$ERR" | head -n 1; echo "status=\${PIPESTATUS[0]}"`;
  const errFile = `${server.dir}/cli.err`;
  const proc = Bun.spawn(["bash", "-c", script, "bash", ZINIT, "--socket", server.socket, ...args], {
    env: { ...process.env, ERR: errFile, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const [firstLine = "", statusLine = ""] = out.trimEnd().split("\n");
  return { zinitStatus: Number(statusLine.replace("status=", "")), stderr: await Bun.file(errFile).text(), firstLine };
}

test("logs into a closed pipe: first line shown, status 0, nothing on stderr", async () => {
  const r = await throughHead(["logs", "-n", "20000", "chatty"]);
  expect(r.firstLine).toContain("00000000001");
  expect(r.stderr).toBe("");
  expect(r.zinitStatus).toBe(0);
});

test("logs --json into a closed pipe ends the same way", async () => {
  const r = await throughHead(["logs", "-n", "20000", "--json", "chatty"]);
  expect(r.stderr).toBe("");
  expect(r.zinitStatus).toBe(0);
});
