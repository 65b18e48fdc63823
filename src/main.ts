/**
 * The one entry point of the multicall executable: pick the role, lazy-import it,
 * so the CLI never pays for loading the server and the other way round.
 */
import { basename } from "node:path";
import { chooseRole } from "./roles.ts";

const { role, args } = chooseRole(basename(process.argv0), process.argv.slice(2));

switch (role) {
  case "pid1": {
    const { runPid1 } = await import("./pid1/main.ts");
    await runPid1(args);
    break;
  }
  case "server": {
    const { runServer } = await import("./server/main.ts");
    await runServer(args);
    break;
  }
  case "cli": {
    const { runCli } = await import("./cli/main.ts");
    process.exitCode = await runCli(args);
    break;
  }
}
