/** `zinit shutdown`: ordered shutdown of every service, then the server ends. */
import { powerCommand } from "../bulk.ts";

export default powerCommand({
  name: "shutdown",
  description: "Stop every service in reverse dependency order, then end the server.",
  call: (client) => client.shutdown(),
});
