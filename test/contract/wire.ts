/**
 * A bare JSON-RPC connection for the contract suites: calls matched by id, and
 * the notifications that arrive meanwhile kept aside. It shows the messages as
 * they travel (error.data and all), which the SDK client would decode away.
 */
import { createConnection, type Socket } from "node:net";
import { LineDecoder } from "../../src/sdk/protocol/framing.ts";

export interface WireMessage {
  jsonrpc: "2.0";
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export class Wire {
  readonly notifications: WireMessage[] = [];
  #socket: Socket;
  #nextId = 1;
  #pending = new Map<number, (m: WireMessage) => void>();
  #wake: (() => void)[] = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const decoder = new LineDecoder({ maxLineBytes: 64 * 1024 * 1024 });
    socket.on("data", (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) {
        if (e.type !== "line" || e.line === "") continue;
        const m = JSON.parse(e.line) as WireMessage;
        if (typeof m.id === "number" && this.#pending.has(m.id)) {
          this.#pending.get(m.id)!(m);
          this.#pending.delete(m.id);
        } else if (m.method !== undefined) {
          this.notifications.push(m);
          for (const w of this.#wake.splice(0)) w();
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#closed = true;
      for (const w of this.#wake.splice(0)) w();
    });
  }

  static connect(path: string): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new Wire(socket));
      });
    });
  }

  /** Sends one request and resolves with its answer, whole. */
  call(method: string, params?: unknown, timeoutMs = 5000): Promise<WireMessage> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.#pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.#socket.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })}\n`);
    });
  }

  /** Resolves with the first notification (received so far or later) that `match` accepts. */
  async notification(what: string, match: (m: WireMessage) => boolean, timeoutMs = 5000): Promise<WireMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.notifications.find(match);
      if (found) return found;
      if (this.#closed) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.#wake.push(r);
        setTimeout(r, left);
      });
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}
