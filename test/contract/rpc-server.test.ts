/** The socket API contract against the compiled server (dist/zinit) on a temp socket. */
import { startServer, waitFor } from "../helpers/server.ts";
import { rpcContract } from "./rpc.case.ts";

// `web` prints a line every 50 ms, so follow always has something to deliver.
const TICKER = '[service]\nexec = ["sh", "-c", "while :; do echo tick; sleep 0.05; done"]\n';
const SLEEPER = '[service]\nexec = ["sleep", "1000"]\n';

rpcContract("compiled server", async () => {
  const server = await startServer({ web: TICKER, db: SLEEPER });
  // The suite starts from both services running, as the fake has them.
  for (const name of ["web", "db"]) {
    await waitFor(`${name} running`, async () => (await server.rpc("service.status", { name })).state === "running");
  }
  return {
    socket: server.socket,
    printLine: () => {},
    close: async () => void (await server.stop()),
  };
});
