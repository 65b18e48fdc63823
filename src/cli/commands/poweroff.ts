/** `zinit poweroff`: ordered shutdown, then power off (VM mode). */
import { powerCommand } from "../bulk.ts";

export default powerCommand({
  name: "poweroff",
  description: "Ordered shutdown, then power the machine off (VM mode).",
  call: (client) => client.poweroff(),
});
