/**
 * `zinit status NAME...`: the full status of each. With --json, the `service.status`
 * object for one name, an array for several. A name the server does not know is
 * reported on stderr and the others are still shown (exit 3).
 */
import { defineCommand } from "citty";
import { ZinitError } from "../../sdk/errors.ts";
import type { ServiceStatusResult } from "../../sdk/protocol/types.ts";
import { cli, printJson, withClient } from "../context.ts";
import { renderStatuses } from "../render/status.ts";

export default defineCommand({
  meta: { name: "status", description: "Show the full status of services." },
  args: {
    name: { type: "positional", description: "service name(s)", required: true },
  },
  async run(c) {
    const ctx = cli(c);
    const names = c.args._;
    const found: ServiceStatusResult[] = [];
    let code = 0;
    await withClient(ctx, async (client) => {
      for (const name of names) {
        try {
          found.push(await client.status(name));
        } catch (error) {
          if (!(error instanceof ZinitError) || error.code === "unreachable") throw error;
          ctx.err(`zinit: ${error.message}`);
          if (code === 0) code = error.exitCode;
        }
      }
    });
    if (ctx.json) {
      if (names.length === 1) {
        if (found[0]) printJson(ctx, found[0]);
      } else printJson(ctx, found);
    } else if (found.length > 0) {
      ctx.out(renderStatuses(found, { nowMs: ctx.now(), color: ctx.color }));
    }
    return code;
  },
});
