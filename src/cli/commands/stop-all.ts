/** `zinit stop-all`: stop every user-class service. */
import { bulkCommand } from "../bulk.ts";

export default bulkCommand({
  name: "stop-all",
  description: "Stop every user-class service (system-class ones are skipped).",
  done: "stop requested",
  call: (client) => client.stopAll(),
});
