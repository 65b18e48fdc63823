/** `zinit tui`: not implemented yet (listed as partial in the usage text). */
import { defineCommand } from "citty";
import { cli } from "../context.ts";

export default defineCommand({
  meta: { name: "tui", description: "Full-screen live view with keys to start/stop/restart and logs (not implemented yet)." },
  args: {},
  run(c) {
    cli(c).err("zinit: tui: not implemented yet");
    return 1;
  },
});
