/**
 * `zinit create NAME -f FILE` sends a service file as is (`-f -` reads stdin);
 * `zinit create NAME --exec CMD [--oneshot] [--requires X]... [--after X]... [--wants X]...`
 * builds one (render/service-toml.ts). The server validates it and writes NAME.toml.
 */
import { defineCommand } from "citty";
import { readFileSync } from "node:fs";
import { ZinitError } from "../../sdk/errors.ts";
import { UsageError, collectRepeated } from "../args.ts";
import { cli, printJson, withClient } from "../context.ts";
import { renderServiceToml } from "../render/service-toml.ts";

export default defineCommand({
  meta: { name: "create", description: "Create a service from a file or from a command line, and load it." },
  args: {
    name: { type: "positional", description: "service name", required: true },
    file: { type: "string", alias: "f", description: "service file to send (- for stdin)", valueHint: "FILE" },
    exec: { type: "string", description: "command line of the service", valueHint: "CMD" },
    oneshot: { type: "boolean", description: "runs to completion (with --exec)" },
    requires: { type: "string", description: "hard dependency, repeatable (with --exec)", valueHint: "X" },
    after: { type: "string", description: "start after this service, repeatable (with --exec)", valueHint: "X" },
    wants: { type: "string", description: "soft dependency, repeatable (with --exec)", valueHint: "X" },
  },
  async run(c) {
    const ctx = cli(c);
    const name = String(c.args.name);
    const file = c.args.file === undefined ? undefined : String(c.args.file);
    const exec = c.args.exec === undefined ? undefined : String(c.args.exec);
    if ((file === undefined) === (exec === undefined)) {
      throw new UsageError("give exactly one of -f FILE or --exec CMD", "create");
    }
    const requires = collectRepeated(c.rawArgs, ["--requires"]);
    const after = collectRepeated(c.rawArgs, ["--after"]);
    const wants = collectRepeated(c.rawArgs, ["--wants"]);
    let config: string;
    if (file !== undefined) {
      if (c.args.oneshot || requires.length + after.length + wants.length > 0) {
        throw new UsageError("--oneshot, --requires, --after and --wants go with --exec, not with -f", "create");
      }
      config = readConfig(file);
    } else {
      if (exec!.trim() === "") throw new UsageError("--exec needs a command line", "create");
      config = renderServiceToml({ name, exec: exec!, oneshot: c.args.oneshot === true, requires, after, wants });
    }
    await withClient(ctx, (client) => client.create(name, config));
    if (ctx.json) printJson(ctx, { name, created: true });
    else ctx.out(`${name}: created`);
    return 0;
  },
});

function readConfig(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ZinitError("failed", `cannot read ${file}: ${reason}`);
  }
}
