/** `zinit completion bash|zsh|fish`: the shell's completion script (see complete/scripts.ts). */
import { defineCommand } from "citty";
import { UsageError } from "../args.ts";
import { cli } from "../context.ts";
import { SHELLS } from "../complete/engine.ts";
import { COMPLETION_SCRIPTS, type Shell } from "../complete/scripts.ts";

export default defineCommand({
  meta: {
    name: "completion",
    description:
      "Print a completion script for bash, zsh or fish: verbs, flags, signal names and the service names of the running server. Load it with `source <(zinit completion bash)` (zsh alike) or `zinit completion fish | source`.",
  },
  args: {
    shell: { type: "positional", description: "bash, zsh or fish", required: true },
  },
  run(c) {
    const ctx = cli(c);
    const shell = String(c.args.shell);
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new UsageError(`unknown shell ${JSON.stringify(shell)}: expected one of ${SHELLS.join(", ")}`, "completion");
    }
    // The script ends with its own newline; out() adds one more.
    ctx.out(COMPLETION_SCRIPTS[shell as Shell].trimEnd());
    return 0;
  },
});
