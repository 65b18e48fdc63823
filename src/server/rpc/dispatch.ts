/**
 * From one received line to the line that answers it: classify the JSON-RPC
 * message, validate its params against the method table, run its handler, and
 * turn whatever the handler returns or throws into a response.
 *
 * This is the one place where a handler's errors become answers:
 * - a ZinitError is a refusal the user can act on; its number, message and
 *   data go back as they are, with its name in `error.data.name`;
 * - anything else is a bug. It is reported to `onInternalError` (the server
 *   logs it, stack included) and the client gets a generic internal error that
 *   carries nothing of the exception: messages and stacks can hold paths and
 *   state the client has no business seeing, and they help nobody but the
 *   person reading the server's log.
 * Nothing thrown by a handler or by encoding its result leaves this module.
 */
import { ZinitError } from "../../sdk/errors.ts";
import {
  failureFromError,
  namedFailure,
  parseMessage,
  success,
  type JsonRpcId,
  type JsonRpcResponse,
} from "../../sdk/protocol/jsonrpc.ts";
import { isMethodName, validateParams } from "../../sdk/protocol/methods.ts";
import { buildOpenRpcDocument } from "../../sdk/protocol/openrpc.ts";
import type { MethodName, Methods } from "../../sdk/protocol/types.ts";

/** What a handler knows of the connection its request came on. */
export interface RpcConnection {
  /** Unique per server, in connection order. */
  readonly id: number;
  /** Queues a JSON-RPC notification; a no-op once the connection is closed. */
  notify(method: string, params: unknown): void;
  /** Runs `fn` once when the connection closes (at once if it already has). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

/** One handler per method; a missing one answers -32601 (except `rpc.discover`). */
export type HandlerTable = {
  [M in MethodName]?: (
    params: Methods[M]["params"],
    conn: RpcConnection,
  ) => Methods[M]["result"] | Promise<Methods[M]["result"]>;
};

/** Reports a bug: `where` is the method (or what was being done), `error` what was thrown. */
export type InternalErrorReporter = (where: string, error: unknown) => void;

/** Options of {@link createDispatch}. */
export interface DispatchOptions {
  handlers: HandlerTable;
  /** Version stamped in the `rpc.discover` document. */
  version: string;
  onInternalError: InternalErrorReporter;
}

/**
 * Answers one line: resolves to the response text (without newline), or null
 * when nothing is to be answered (a notification, a response, a blank line).
 * Runs synchronously up to the handler's first await, so requests start in the
 * order they arrive. Never rejects.
 */
export type Dispatch = (line: string, conn: RpcConnection) => Promise<string | null>;

/** The text of the answer to a bug: the same whatever the bug was. */
export const INTERNAL_ERROR_MESSAGE = "internal error; the zinit server's log has the details";

/** The answer to a request whose handling hit a bug. */
export function internalFailure(id: JsonRpcId): JsonRpcResponse {
  return namedFailure(id, "internal", INTERNAL_ERROR_MESSAGE);
}

/** Builds the dispatcher of a server. */
export function createDispatch(opts: DispatchOptions): Dispatch {
  const handlerOf = (method: MethodName): ((params: unknown, conn: RpcConnection) => unknown) | undefined => {
    const handler = opts.handlers[method] as ((params: unknown, conn: RpcConnection) => unknown) | undefined;
    if (handler) return handler;
    if (method === "rpc.discover") return () => buildOpenRpcDocument(opts.version);
    return undefined;
  };

  const run = async (method: string, rawParams: unknown, id: JsonRpcId, conn: RpcConnection): Promise<JsonRpcResponse> => {
    try {
      if (!isMethodName(method)) return namedFailure(id, "method_not_found", `method not found: ${method}`);
      const handler = handlerOf(method);
      if (!handler) return namedFailure(id, "method_not_found", `method not implemented by this server: ${method}`);
      const check = validateParams(method, rawParams);
      if (!check.ok) return namedFailure(id, "invalid_params", check.message);
      const result = await handler(check.value, conn);
      return success(id, result ?? null);
    } catch (err) {
      if (err instanceof ZinitError) return failureFromError(id, err);
      report(method, err);
      return internalFailure(id);
    }
  };

  const report = (where: string, err: unknown) => {
    try {
      opts.onInternalError(where, err);
    } catch {
      // a failing reporter must not turn one bug into a lost answer
    }
  };

  const encode = (method: string, response: JsonRpcResponse): string => {
    try {
      return JSON.stringify(response);
    } catch (err) {
      // A result that cannot be encoded (a cycle, a BigInt) is a handler's bug too.
      report(method, err);
      return JSON.stringify(internalFailure(response.id));
    }
  };

  return async (line, conn) => {
    const parsed = parseMessage(line);
    switch (parsed.kind) {
      case "parse_error":
        return JSON.stringify(namedFailure(null, "parse_error", parsed.error.message));
      case "invalid":
        return JSON.stringify(namedFailure(parsed.id, "invalid_request", parsed.error.message));
      case "response":
        return null; // the server sends no requests, so there is nothing to match
      case "notification": {
        // JSON-RPC: a notification runs but is never answered, not even with an error.
        await run(parsed.message.method, parsed.message.params, null, conn);
        return null;
      }
      case "request": {
        const { method, params, id } = parsed.message;
        return encode(method, await run(method, params, id, conn));
      }
    }
  };
}
