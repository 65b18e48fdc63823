/**
 * `zinit health [NAME...]`: exit 0 when every named unit (default: every unit with
 * status = "start") runs (a oneshot: exited 0) with its health check, if any,
 * passing; 1 otherwise, naming each unit that does not and why; 4 when the server
 * cannot be reached or does not answer in time. One socket round trip
 * (`system.health`), for Kubernetes exec probes and Docker HEALTHCHECK.
 */
import { defineCommand } from "citty";
import { ZinitError } from "../../sdk/errors.ts";
import { UsageError } from "../args.ts";
import { cli, printJson, socketPath, withClient } from "../context.ts";
import { renderHealth } from "../render/health.ts";

export default defineCommand({
  meta: { name: "health", description: "Exit 0 when the services that should be up are up and healthy, 1 when not (saying why)." },
  args: {
    name: { type: "positional", description: 'unit name(s); every unit with status = "start" when omitted', required: false },
    timeout: { type: "string", description: "seconds to wait for the server's answer (then exit 4)", default: "5", valueHint: "S" },
  },
  async run(c) {
    const ctx = cli(c);
    const timeoutS = Number(c.args.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
      throw new UsageError(`--timeout: expected a positive number of seconds, got ${JSON.stringify(c.args.timeout)}`, "health");
    }
    const names = c.args._.map(String);
    const report = await withClient(ctx, (client) => {
      // A hung server must fail the probe, not hang it: the prober's own timeout
      // would report nothing useful.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ZinitError("unreachable", `no answer from the zinit server at ${socketPath(ctx)} within ${timeoutS} s`)),
          timeoutS * 1000,
        );
      });
      return Promise.race([client.call("system.health", names.length > 0 ? { names } : {}), late]).finally(() => clearTimeout(timer));
    });
    if (ctx.json) printJson(ctx, report);
    else ctx.out(renderHealth(report));
    return report.healthy ? 0 : 1;
  },
});
