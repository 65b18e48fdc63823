/** `zinit reboot`: ordered shutdown, then reboot (VM mode). */
import { powerCommand } from "../bulk.ts";

export default powerCommand({
  name: "reboot",
  description: "Ordered shutdown, then reboot the machine (VM mode).",
  call: (client) => client.reboot(),
});
