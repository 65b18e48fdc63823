/**
 * scripts/release: the four executables and SHA256SUMS, each checked the way the
 * script promises, and checked again here independently: the glibc builds run
 * (x64 natively, arm64 under qemu-user), the musl builds are musl-linked ELFs of
 * the right machine whose only missing libraries (on Debian, which has no musl
 * C++ runtime) are libstdc++/libgcc_s. The Bun runtimes of the other targets come
 * from the npm registry the first time (then from a cache), so the first run
 * downloads ~150 MB; later runs take ~10 s for the four compiles and checks.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";
import { runCmd } from "./lib.ts";

const QEMU = ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"];
const readelf = async (flag: string, f: string) => (await runCmd(["readelf", flag, f])).stdout;

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
