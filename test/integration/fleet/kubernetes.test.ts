/**
 * images/kubernetes/zinit.yaml run for real with `podman kube play` (root and
 * podman needed; scripts/setup-test-deps installs podman, runc and catatonit):
 * the pod runs, `zinit list` inside shows the ConfigMap's services in dependency
 * order, the readiness command (`zinit health`) passes, podman's healthcheck made
 * from the liveness probe passes, Prometheus' port answers, and a SIGTERM with a
 * grace period — what the kubelet does — gives the ordered shutdown and exit 0.
 *
 * The image is the root filesystem of images/scratch/Dockerfile, made by the
 * script its build stage runs (scripts/build-rootfs) and imported with the
 * Dockerfile's own ENTRYPOINT and STOPSIGNAL: no base image or network needed.
 * The manifest is used as is but for three things a shared host needs: a unique
 * name, the test image's tag, and free host ports for its two container ports.
 *
 * podman 4.3 (Debian 12) turns only the liveness probe into a healthcheck and
 * does not apply terminationGracePeriodSeconds; its `kube down` kills at once
 * (SIGKILL with no grace, podman issue 22397), so the graceful stop is
 * `podman pod stop` with the manifest's grace period and `kube down` removes.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";
import { freePort, http, runCmd, waitFor } from "./lib.ts";

const MANIFEST = join(ROOT, "images/kubernetes/zinit.yaml");
const DOCKERFILE = join(ROOT, "images/scratch/Dockerfile");
const asRoot = process.getuid?.() === 0;
const havePodman = Bun.which("podman") !== null && Bun.which("runc") !== null && Bun.which("catatonit") !== null;
const why = !asRoot ? "needs root" : !havePodman ? "needs podman, runc and catatonit (scripts/setup-test-deps)" : "";
if (why) console.log(`kubernetes.test.ts skipped: ${why}`);

/** The final stage's ENTRYPOINT and STOPSIGNAL lines of the scratch Dockerfile, as `podman import --change` values. */
function dockerfileChanges(): string[] {
  const lines = readFileSync(DOCKERFILE, "utf8").split("\n");
  const last = lines.map((l, i) => (l.startsWith("FROM ") ? i : -1)).filter((i) => i >= 0).pop()!;
  return lines.slice(last).filter((l) => /^(ENTRYPOINT|STOPSIGNAL) /.test(l));
}

describe.skipIf(why !== "")("images/kubernetes with podman kube play", () => {
  test("pod runs; list, readiness and liveness pass; metrics answer; SIGTERM gives the ordered shutdown", async () => {
    const work = mkdtempSync(join(tmpdir(), "zinit-kube-"));
    const tag = `localhost/zinit-kube-test:${process.pid}`;
    const name = `zinit-test-${process.pid}`;
    const pod = `${name}-pod-0`;
    const ctr = `${pod}-zinit`;
    writeFileSync(join(work, "containers.conf"), "[containers]\ndefault_ulimits = []\n");
    // podman's default ulimits ask for more than a sandbox's hard limits allow; crun refuses hybrid cgroups, runc does not.
    const env = { CONTAINERS_CONF: join(work, "containers.conf") };
    const podman = (...args: string[]) => runCmd(["podman", "--runtime", "runc", ...args], { env, timeoutMs: 60_000 });
    const [metricsPort, httpPort] = [await freePort(), await freePort()];
    const yaml = readFileSync(MANIFEST, "utf8")
      .replace(/^( {2}name: )zinit$/m, `$1${name}`)
      .replace(/^( +image: )zinit:scratch$/m, `$1${tag}`)
      .replace(/^( +)containerPort: 9100$/m, `$1containerPort: 9100\n$1hostPort: ${metricsPort}`)
      .replace(/^( +)containerPort: 8080$/m, `$1containerPort: 8080\n$1hostPort: ${httpPort}`);
    expect(yaml).toContain(`name: ${name}\n`);
    expect(yaml).toContain(`hostPort: ${metricsPort}`);
    const kubeFile = join(work, "kube.yaml");
    writeFileSync(kubeFile, yaml);
    const log = join(work, "zinit.log");
    try {
      const rootfs = join(work, "rootfs");
      const built = await runCmd(["bash", join(ROOT, "scripts/build-rootfs"), rootfs]);
      expect(built.code).toBe(0);
      const changes = dockerfileChanges();
      expect(changes).toEqual(['STOPSIGNAL SIGTERM', 'ENTRYPOINT ["/sbin/zinit-pid1", "--container"]']);
      const imported = await runCmd(["sh", "-c", `tar -C "${rootfs}" -c . | podman import ${changes.map((c) => `--change '${c}'`).join(" ")} - ${tag}`], { env });
      expect(imported.code).toBe(0);

      const play = await podman("kube", "play", "--log-driver", "k8s-file", "--log-opt", `path=${log}`, kubeFile);
      if (play.code !== 0) throw new Error(`kube play exited ${play.code}:\n${play.stderr}`);

      // The pod runs and zinit inside shows the services; then the readiness command passes.
      const listed = await waitFor(
        "services up in the pod",
        async () => {
          const r = await podman("exec", ctr, "/sbin/zinit", "list");
          return r.code === 0 && /^web +running/m.test(r.stdout) && /^migrate +exited/m.test(r.stdout) ? r.stdout : null;
        },
        20_000,
        200,
      );
      expect(listed).toMatch(/^database +running/m);
      const readiness = await podman("exec", ctr, "/sbin/zinit", "health");
      expect(readiness.stdout).toBe("healthy: 3 units\n");
      expect(readiness.code).toBe(0);
      // podman made a healthcheck of the liveness probe; run it once.
      const inspect = JSON.parse((await podman("inspect", ctr)).stdout)[0];
      expect(inspect.Config.Healthcheck.Test.join(" ")).toContain("/sbin/zinit health --timeout 4 database web");
      const liveness = await podman("healthcheck", "run", ctr);
      expect(liveness.code).toBe(0);
      // Prometheus' port, through the pod's network.
      const metrics = await http(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.body).toMatch(/^zinit_info\{version="[^"]+",mode="container"\} 1$/m);
      expect(metrics.body).toContain('zinit_service_up{service="web"} 1');
      expect((await http(`http://127.0.0.1:${httpPort}/`)).status).toBe(200);

      // SIGTERM with the manifest's grace period, as the kubelet stops a pod.
      const t0 = performance.now();
      const stop = await podman("pod", "stop", "-t", "40", pod);
      const stopMs = performance.now() - t0;
      expect(stop.code).toBe(0);
      expect(JSON.parse((await podman("inspect", ctr)).stdout)[0].State.ExitCode).toBe(0);
      const out = readFileSync(log, "utf8");
      const at = (needle: string) => {
        const i = out.indexOf(needle);
        if (i < 0) throw new Error(`"${needle}" not in the container's log:\n${out.slice(-3000)}`);
        return i;
      };
      expect(at("web: running -> stopping (shutdown)")).toBeLessThan(at("database: running -> stopping (shutdown)"));
      expect(at("web: stopping -> inactive (shutdown)")).toBeLessThan(at("database: running -> stopping (shutdown)"));
      expect(at("[zinit] all services stopped")).toBeLessThan(at("[zinit-pid1] all stopped; exiting"));
      console.log(`kubernetes: ordered shutdown of the pod took ${stopMs.toFixed(0)} ms`);
    } finally {
      await podman("kube", "down", kubeFile);
      await podman("rmi", "-f", tag);
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
