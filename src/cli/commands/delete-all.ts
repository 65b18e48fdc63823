/** `zinit delete-all`: delete every user-class service (stops, unloads, removes files). */
import { bulkCommand } from "../bulk.ts";

export default bulkCommand({
  name: "delete-all",
  description: "Delete every user-class service: stop, unload, remove its file (system-class ones are skipped).",
  done: "deleted",
  call: (client) => client.deleteAll(),
});
