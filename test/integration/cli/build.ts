/** Builds dist/zinit once per test process (scripts/build takes a couple of seconds). */
import { ROOT, ZINIT } from "../../helpers/paths.ts";

let built: Promise<void> | null = null;

export function buildOnce(): Promise<void> {
  built ??= (async () => {
    const p = Bun.spawn(["bash", "scripts/build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    if (code !== 0) throw new Error(`build failed (${code}):\n${out}\n${err}`);
  })();
  return built;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the executable (or a link to it) with a clean colour setting and an unreachable default socket. */
export async function run(argv: string[], opts: { exe?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const p = Bun.spawn([opts.exe ?? ZINIT, ...argv], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ZINIT_SOCKET: "/nonexistent/zinit-cli-test.sock", ...opts.env },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}
