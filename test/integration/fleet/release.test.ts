/**
 * scripts/release: the four executables and SHA256SUMS, each checked the way the
 * script promises, and checked again here independently: the glibc builds run
 * (x64 natively, arm64 under qemu-user, as a server capturing a service's
 * output too), the musl builds are musl-linked ELFs of
 * the right machine whose only missing libraries (on Debian, which has no musl
 * C++ runtime) are libstdc++/libgcc_s. The Bun runtimes of the other targets come
 * from the npm registry the first time (then from a cache), so the first run
 * downloads ~150 MB; later runs take ~10 s for the four compiles and checks.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, ZINIT } from "../../helpers/paths.ts";
import { runCmd, waitFor } from "./lib.ts";

const QEMU = ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"];
const readelf = async (flag: string, f: string) => (await runCmd(["readelf", flag, f])).stdout;

/**
 * The arm64 server under qemu-user captures a service's stdout and stderr: its
 * output reader lays out struct epoll_event by hand, and aarch64's differs from
 * x86_64's (16 bytes, not packed). Asked with the native CLI, as the protocol is
 * the same.
 */
async function armServerCapturesOutput(exe: string, dir: string): Promise<void> {
  const conf = join(dir, "conf");
  mkdirSync(conf);
  writeFileSync(join(conf, "a.toml"), '[service]\nexec = ["sh", "-c", "echo out-line; echo err-line >&2; exec sleep 100"]\n');
  const sock = join(dir, "z.sock");
  const server = Bun.spawn([...QEMU, exe, "server", "--config-dir", conf, "--socket", sock], { stdio: ["ignore", "ignore", "ignore"] });
  try {
    await waitFor("the arm64 server's socket", () => existsSync(sock), 30_000);
    let logs = "";
    await waitFor("both lines in the ring", async () => {
      logs = (await runCmd([ZINIT, "--socket", sock, "logs", "a"])).stdout;
      return logs.includes("out-line") && logs.includes("err-line");
    }, 30_000);
    expect(logs).toMatch(/ a stdout\| out-line\n/);
    expect(logs).toMatch(/ a stderr\| err-line\n/);
    expect((await runCmd([ZINIT, "--socket", sock, "shutdown"])).code).toBe(0);
    expect(await server.exited).toBe(0);
  } finally {
    server.kill("SIGKILL");
    await server.exited;
  }
}

describe("scripts/release", () => {
  test("builds zinit-linux-{x64,arm64,x64-musl,arm64-musl} and SHA256SUMS; each checked", async () => {
    const out = mkdtempSync(join(tmpdir(), "zinit-release-"));
    try {
      const r = await runCmd(["bash", join(ROOT, "scripts/release"), out], { timeoutMs: 170_000 });
      if (r.code !== 0) throw new Error(`scripts/release exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      console.log(`scripts/release took ${(r.ms / 1000).toFixed(1)} s`);
      expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", "zinit-linux-arm64", "zinit-linux-arm64-musl", "zinit-linux-x64", "zinit-linux-x64-musl"]);
      const sums = await runCmd(["sha256sum", "-c", "SHA256SUMS"], { cwd: out });
      expect(sums.stdout.trim().split("\n").sort()).toEqual([
        "zinit-linux-arm64-musl: OK",
        "zinit-linux-arm64: OK",
        "zinit-linux-x64-musl: OK",
        "zinit-linux-x64: OK",
      ]);

      const version = JSON.parse(await Bun.file(join(ROOT, "package.json")).text()).version;
      const x64 = await runCmd([join(out, "zinit-linux-x64"), "version"]);
      expect(x64.stdout).toBe(`zinit ${version}\n`);
      const arm = await runCmd([...QEMU, join(out, "zinit-linux-arm64"), "check", join(ROOT, "examples")]);
      expect(arm.code).toBe(0);
      expect(arm.stdout).toContain("0 errors");
      await armServerCapturesOutput(join(out, "zinit-linux-arm64"), out);

      for (const [name, machine, loader, libc] of [
        ["zinit-linux-x64-musl", "Advanced Micro Devices X86-64", "/lib/ld-musl-x86_64.so.1", "libc.musl-x86_64.so.1"],
        ["zinit-linux-arm64-musl", "AArch64", "/lib/ld-musl-aarch64.so.1", "libc.musl-aarch64.so.1"],
      ] as const) {
        const f = join(out, name);
        expect(await readelf("-h", f)).toMatch(new RegExp(`Machine:\\s+${machine}\\n`));
        expect(await readelf("-l", f)).toContain(`[Requesting program interpreter: ${loader}]`);
        const needed = [...(await readelf("-d", f)).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1]).sort();
        expect(needed).toEqual([libc, "libstdc++.so.6"]);
      }
      // Debian's musl loader (package musl) lists what it cannot find: only the C++ runtime.
      const ldd = await runCmd(["/lib/ld-musl-x86_64.so.1", "--list", join(out, "zinit-linux-x64-musl")]);
      const missing = [...new Set([...ldd.stderr.matchAll(/Error loading shared library ([^:]+):/g)].map((m) => m[1]))];
      expect(missing).toEqual(["libstdc++.so.6"]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  test("an unknown target is a usage error", async () => {
    const r = await runCmd(["bash", join(ROOT, "scripts/release"), "/tmp/zinit-release-unused", "riscv64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown target riscv64");
  });
});
