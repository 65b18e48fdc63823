/** The shared body of start-all, stop-all and delete-all: one request, the names it touched. */
import { defineCommand } from "citty";
import type { ZinitClient } from "../sdk/client.ts";
import { cli, printJson, withClient } from "./context.ts";

export interface BulkSpec {
  name: string;
  description: string;
  /** what happened to each name, as printed: "start requested" */
  done: string;
  call(client: ZinitClient): Promise<string[]>;
}

export function bulkCommand(spec: BulkSpec) {
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args: {},
    async run(c) {
      const ctx = cli(c);
      const names = await withClient(ctx, (client) => spec.call(client));
      if (ctx.json) printJson(ctx, names);
      else if (names.length === 0) ctx.out(`${spec.name}: no services affected`);
      else ctx.out(names.map((n) => `${n}: ${spec.done}`).join("\n"));
      return 0;
    },
  });
}

export interface PowerSpec {
  name: string;
  description: string;
  call(client: ZinitClient): Promise<unknown>;
}

/** shutdown, reboot and poweroff: one request, no result. */
export function powerCommand(spec: PowerSpec) {
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args: {},
    async run(c) {
      const ctx = cli(c);
      await withClient(ctx, (client) => spec.call(client));
      if (ctx.json) printJson(ctx, { requested: spec.name });
      else ctx.out(`${spec.name} requested`);
      return 0;
    },
  });
}
