/**
 * The image's root filesystem without Docker: scripts/build-rootfs
 * assembles it in a temp dir, and it is run the way a container runtime would run
 * the image — new PID, mount and network namespaces, /proc mounted, chroot, the
 * entrypoint `/sbin/zinit-pid1 --container` as PID 1 with nothing from the host
 * but the kernel. The control socket OUT/run/zinit.sock is reached from the host.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";
import { asRoot, serverOf, nsPidOf, waitFor, withPid1, ZINIT } from "./lib.ts";

setDefaultTimeout(30_000);

let out = "";
let base = "";

describe.skipIf(!asRoot)("scripts/build-rootfs: the image's root filesystem, run with unshare + chroot", () => {
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "zinit-rootfs-"));
    out = join(base, "root");
    const b = Bun.spawnSync(["bash", join(ROOT, "scripts", "build-rootfs"), out], { stdout: "pipe", stderr: "pipe" });
    if (b.exitCode !== 0) throw new Error(`build-rootfs failed (${b.exitCode}):\n${b.stdout}\n${b.stderr}`);
  }, 120_000);

  afterAll(() => {
    if (!base) return;
    // Never recurse into a still-mounted /proc (the mounts live in the run's own mount namespace).
    if (!readFileSync("/proc/self/mountinfo", "utf8").includes(base)) rmSync(base, { recursive: true, force: true });
  });

  test("holds the executable, its names, exactly the libraries ldd names, busybox and the services", () => {
    expect(readFileSync(join(out, "sbin/zinit")).length).toBe(readFileSync(ZINIT).length);
    for (const name of ["zinit-pid1", "zinit-server", "init"]) {
      expect(lstatSync(join(out, "sbin", name)).isSymbolicLink()).toBe(true);
      // relative, so that it resolves inside the image
      expect(readlinkSync(join(out, "sbin", name))).toBe("zinit");
    }
    const ldd = Bun.spawnSync(["ldd", ZINIT]).stdout.toString();
    const wanted = [...ldd.matchAll(/=> (\/\S+)|^\s*(\/\S+)/gm)].map((m) => m[1] ?? m[2]!);
    expect(wanted).toContain("/lib64/ld-linux-x86-64.so.2");
    expect(wanted.some((p) => p.endsWith("/libc.so.6"))).toBe(true);
    for (const lib of wanted) {
      const st = lstatSync(join(out, lib));
      expect({ lib, file: st.isFile() }).toEqual({ lib, file: true });
    }
    // busybox is static (nothing else to copy) and does not shadow zinit as init.
    expect(Bun.spawnSync(["ldd", join(out, "bin/busybox")]).exitCode).not.toBe(0);
    expect(existsSync(join(out, "bin/sh"))).toBe(true);
    expect(existsSync(join(out, "bin/init"))).toBe(false);
    expect(readdirSync(join(out, "etc/zinit/services")).sort()).toEqual(readdirSync(join(ROOT, "images/rootfs/services")).sort());
    // The service files are valid.
    const check = Bun.spawnSync([ZINIT, "check", join(out, "etc/zinit/services")], { stdout: "pipe", stderr: "pipe" });
    expect(check.exitCode).toBe(0);
  });

  test("runs as PID 1 in a chroot: services up, socket reachable from the host, SIGTERM -> exit 0", async () => {
    const socket = join(out, "run", "zinit.sock");
    await withPid1(
      {},
      async (run) => {
        expect(nsPidOf(run.init)).toBe(1);
        // PID 1 is the image's entrypoint, inside the chroot.
        expect(run.procs()[0]!.cmdline).toBe("/sbin/zinit-pid1 --container");
        expect(readlinkSync(`/proc/${run.init}/root`)).toBe(out);
        const server = serverOf(run);
        // argv[0] "zinit" (not the file path): the server role comes from `server`, not from the file name.
        expect(server?.cmdline).toBe("zinit server --config-dir /etc/zinit/services --socket /run/zinit.sock --mode container --report-fd 3");

        const list = await waitFor("web and ticker running, hello done", async () => {
          const l = await run.list();
          const by = Object.fromEntries(l.map((s) => [s.name, s.state]));
          return by.hello === "exited" && by.web === "running" && by.ticker === "running" && l;
        }, 10_000);
        expect(list.map((s) => s.name).sort()).toEqual(["hello", "ticker", "web"]);
        expect(run.output()).toContain("hello| hello from zinit-pid1");
        // The http health probe reached busybox httpd inside the container's network namespace.
        expect(run.output()).toContain("web: starting -> running (healthy");
        const info = JSON.parse((await run.cli("info", "--json")).stdout);
        expect(info.mode).toBe("container");
        expect(info.paths.socket).toBe("/run/zinit.sock");

        process.kill(run.init, "SIGTERM");
        expect(await run.waitExit(10_000)).toBe(0);
        const log = run.output();
        expect(log).toContain("ticker: stopping");
        // The dependent stops before what it requires.
        expect(log.indexOf("ticker: stopping -> inactive")).toBeLessThan(log.indexOf("web: stopping -> inactive"));
        expect(log).toContain("all stopped; exiting");
        expect(log).not.toContain("SIGKILL");
        // The namespace's mounts never reached the host.
        expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(out);
      },
      {
        socket,
        // What `docker run` gives: own PID, mount and network namespaces; the
        // runtime mounts /proc; loopback up for the web service's health probe.
        unshare: ["--pid", "--fork", "--mount", "--net", "--kill-child=SIGKILL"],
        argv: () => [
          "sh",
          "-c",
          'mount -t proc proc "$1/proc" && "$1/bin/busybox" ip link set lo up && exec chroot "$1" /sbin/zinit-pid1 --container',
          "sh",
          out,
        ],
      },
    );
  });
});
