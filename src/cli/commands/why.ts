/**
 * `zinit why NAME`: the service's state and reason, each dependency's state and
 * whether the service waits for it, its cycle, its last exit (render/why.ts).
 */
import { defineCommand } from "citty";
import { ZinitError } from "../../sdk/errors.ts";
import type { ServiceStatusResult } from "../../sdk/protocol/types.ts";
import { cli, printJson, withClient } from "../context.ts";
import { explain, renderWhy } from "../render/why.ts";

export default defineCommand({
  meta: { name: "why", description: "Explain what a blocked, failed or inactive service waits for or died of." },
  args: {
    name: { type: "positional", description: "service name", required: true },
  },
  async run(c) {
    const ctx = cli(c);
    const name = String(c.args.name);
    const report = await withClient(ctx, async (client) => {
      const status = await client.status(name);
      const deps = new Map<string, ServiceStatusResult | null>();
      const d = status.dependencies;
      for (const dep of [...d.requires, ...d.wants, ...d.after, ...d.conflicts]) {
        if (deps.has(dep)) continue;
        try {
          deps.set(dep, await client.status(dep));
        } catch (error) {
          if (error instanceof ZinitError && error.code === "not_found") deps.set(dep, null);
          else throw error;
        }
      }
      let cycles: string[] = [];
      try {
        cycles = (await client.graph(name)).cycles;
      } catch (error) {
        if (!(error instanceof ZinitError)) throw error;
      }
      return explain(status, deps, cycles);
    });
    if (ctx.json) printJson(ctx, report);
    else ctx.out(renderWhy(report, { nowMs: ctx.now(), color: ctx.color }));
    return 0;
  },
});
