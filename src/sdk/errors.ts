/**
 * One error type for everything a user can cause, and THE table of its codes.
 *
 * Each row gives a name (the key), the JSON-RPC error number the server answers
 * with, the CLI's exit status and a description. The server's error answers,
 * the OpenRPC document, the client's decoding and the CLI's exit status are all
 * read from this table, so they cannot disagree.
 *
 * Some numbers are shared: the JSON-RPC standard has one number for bad params
 * (-32602) and one for server-side failures (-32603), and several names fall
 * under each (`invalid_params` and `usage`; `internal`, `failed` and
 * `unreachable`). So the number alone does not say which error it was: every
 * error answer carries its name in `error.data.name`, and a client decodes by
 * name first and by number only when the name is missing or unknown to it.
 */

/** The name of an error: the key of its row in {@link ERROR_CODES}. */
export type ErrorCode =
  | "parse_error"
  | "invalid_request"
  | "method_not_found"
  | "invalid_params"
  | "internal"
  | "not_found"
  | "already_exists"
  | "invalid_config"
  | "refused"
  | "shutting_down"
  | "failed"
  | "usage"
  | "unreachable";

/** One row of the error table. */
export interface ErrorSpec {
  /** The JSON-RPC error number on the socket. */
  readonly rpc: number;
  /** The CLI's exit status. */
  readonly exit: number;
  /** What it means, in a line; the OpenRPC document uses it as the error's message. */
  readonly description: string;
  /** True when a server may answer with it; false for errors only a client raises. */
  readonly wire: boolean;
}

/** The error table, in the order the protocol documentation lists it. */
export const ERROR_CODES: { readonly [C in ErrorCode]: ErrorSpec } = {
  parse_error: { rpc: -32700, exit: 1, wire: true, description: "the line is not valid JSON" },
  invalid_request: {
    rpc: -32600,
    exit: 1,
    wire: true,
    description: "not a JSON-RPC 2.0 request, or a line over 1 MiB (the connection is then closed)",
  },
  method_not_found: { rpc: -32601, exit: 1, wire: true, description: "no such method" },
  invalid_params: { rpc: -32602, exit: 2, wire: true, description: "a param is missing or has the wrong type or value" },
  internal: { rpc: -32603, exit: 1, wire: true, description: "internal error: a bug, logged by the server" },
  not_found: { rpc: -32000, exit: 3, wire: true, description: "service not found" },
  already_exists: { rpc: -32001, exit: 1, wire: true, description: "already exists" },
  invalid_config: { rpc: -32002, exit: 1, wire: true, description: "invalid config" },
  refused: { rpc: -32003, exit: 1, wire: true, description: "refused (ignored, system class, conflict)" },
  shutting_down: { rpc: -32004, exit: 1, wire: true, description: "the server is shutting down" },
  failed: {
    rpc: -32603,
    exit: 1,
    wire: true,
    description: "the operation failed for a reason outside zinit (a file that cannot be written, a spawn that fails)",
  },
  usage: { rpc: -32602, exit: 2, wire: false, description: "the command line is wrong (raised by the CLI)" },
  unreachable: {
    rpc: -32603,
    exit: 4,
    wire: false,
    description: "the server cannot be reached, or the connection was lost (raised by the client)",
  },
};

/** The error names in table order. */
export const ERROR_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** True when `name` names a row of the error table. */
export function isErrorCode(name: unknown): name is ErrorCode {
  return typeof name === "string" && Object.hasOwn(ERROR_CODES, name);
}

/** An error a user can act on: what went wrong and where, with a code from the table. */
export class ZinitError extends Error {
  readonly code: ErrorCode;
  /** Structured detail; on the socket its keys travel in `error.data` beside `name`. */
  readonly data?: unknown;
  constructor(code: ErrorCode, message: string, data?: unknown) {
    super(message);
    this.name = "ZinitError";
    this.code = code;
    this.data = data;
  }
  /** The JSON-RPC error number of {@link code}. */
  get rpcCode(): number {
    return ERROR_CODES[this.code].rpc;
  }
  /** The CLI exit status of {@link code}. */
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/**
 * Maps a JSON-RPC error number back to a name: the first row with that number,
 * so a shared number gives the name a server answers with (-32602
 * `invalid_params`, -32603 `internal`); an unknown number gives `internal`.
 * Only a fallback: prefer the name in `error.data` (see {@link errorFromWire}).
 */
export function codeFromRpc(rpc: number): ErrorCode {
  return ERROR_NAMES.find((name) => ERROR_CODES[name].rpc === rpc) ?? "internal";
}

/** The `error` member of a JSON-RPC answer, as it travels. */
export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The `error` member that answers `name`: the table's number, and `data` with
 * `name` beside the keys of `detail` (a detail that is no object goes under
 * `value`). `name` is reserved: a detail key of that name is overwritten.
 */
export function wireError(name: ErrorCode, message: string, detail?: unknown): WireError {
  const rest = detail === undefined ? {} : isPlainObject(detail) ? detail : { value: detail };
  return { code: ERROR_CODES[name].rpc, message, data: { ...rest, name } };
}

/**
 * The ZinitError an error answer stands for: named by `data.name` when it is a
 * name of the table, else by the number. `data` then comes back without
 * `name`, as the server's ZinitError had it (undefined when nothing else was
 * in it).
 */
export function errorFromWire(error: WireError): ZinitError {
  const data = error.data;
  if (!isPlainObject(data)) return new ZinitError(codeFromRpc(error.code), error.message, data);
  const { name, ...rest } = data;
  // A name this client does not know (a newer server's) stays in data for the caller to see.
  if (!isErrorCode(name)) return new ZinitError(codeFromRpc(error.code), error.message, data);
  return new ZinitError(name, error.message, Object.keys(rest).length > 0 ? rest : undefined);
}
