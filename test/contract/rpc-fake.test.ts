/** The socket API contract against the fake handler table the transport tests use. */
import { join } from "node:path";
import { listenRpc } from "../../src/server/rpc/listen.ts";
import { logLine, makeFake, tempDir } from "../integration/rpc/fake.ts";
import { rpcContract } from "./rpc.case.ts";

rpcContract("fake handler table", async () => {
  const tmp = tempDir();
  const fake = makeFake();
  const socket = join(tmp.dir, "zinit.sock");
  const server = await listenRpc(socket, fake.handlers);
  return {
    socket,
    printLine: () => fake.emitLog(logLine("web", "hello")),
    async close() {
      await server.close();
      tmp.cleanup();
    },
  };
});
