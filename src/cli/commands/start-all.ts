/** `zinit start-all`: start every user-class service that is not ignored. */
import { bulkCommand } from "../bulk.ts";

export default bulkCommand({
  name: "start-all",
  description: "Start every user-class service (system-class and ignored ones are skipped).",
  done: "start requested",
  call: (client) => client.startAll(),
});
