/** `zinit repl`: not implemented yet (listed as partial in the usage text). */
import { defineCommand } from "citty";
import { cli } from "../context.ts";

export default defineCommand({
  meta: { name: "repl", description: "Interactive shell with completion and history (not implemented yet)." },
  args: {},
  run(c) {
    cli(c).err("zinit: repl: not implemented yet");
    return 1;
  },
});
