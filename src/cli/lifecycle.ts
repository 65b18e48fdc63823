/** The shared body of `start`, `stop` and `restart`: request, wait until settled, report. */
import { defineCommand } from "citty";
import { UsageError } from "./args.ts";
import { cli, printJson, withClient } from "./context.ts";
import { outcomesExitCode, renderOutcomes } from "./render/settle.ts";
import { actAndSettle, type LifecycleAction } from "./settle.ts";

const SUMMARY: Record<LifecycleAction, string> = {
  start: "Start services and wait until each is running, exited or failed.",
  stop: "Stop services and wait until each is inactive, exited or failed.",
  restart: "Restart services and wait until each is running, exited or failed.",
};

export function lifecycleCommand(action: LifecycleAction) {
  return defineCommand({
    meta: { name: action, description: SUMMARY[action] },
    args: {
      name: { type: "positional", description: "service name(s)", required: true },
      timeout: { type: "string", description: "seconds to wait before giving up", default: "60", valueHint: "S" },
      wait: {
        type: "boolean",
        description: "wait until settled",
        negativeDescription: "return as soon as the server accepted the request",
        default: true,
      },
    },
    async run(c) {
      const ctx = cli(c);
      const names = c.args._;
      const timeoutS = Number(c.args.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
        throw new UsageError(`--timeout: expected a positive number of seconds, got ${JSON.stringify(c.args.timeout)}`, action);
      }
      const wait = c.args.wait !== false;
      if (wait) ctx.holdsStreams = true;
      const outcomes = await withClient(ctx, (client) =>
        actAndSettle(client, action, names, { wait, timeoutMs: timeoutS * 1000 }),
      );
      if (ctx.json) {
        printJson(
          ctx,
          outcomes.map((o) => ({
            name: o.name,
            state: o.state,
            reason: o.reason,
            settled: o.settled,
            ok: o.ok,
            error: o.error ? { code: o.error.code, message: o.error.message } : null,
          })),
        );
      }
      const text = renderOutcomes(outcomes, { color: ctx.color, timeoutS, waited: wait, action });
      if (!ctx.json && text.stdout.length > 0) ctx.out(text.stdout.join("\n"));
      if (text.stderr.length > 0) ctx.err(text.stderr.join("\n"));
      return outcomesExitCode(outcomes);
    },
  });
}
