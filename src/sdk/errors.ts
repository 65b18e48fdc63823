/**
 * One error type for everything a user can cause. The code decides both the
 * JSON-RPC error number on the socket and the CLI's exit status, through one table.
 */
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
  | "usage"
  | "unreachable"
  | "failed";

interface CodeInfo {
  rpc: number;
  exit: number;
}

export const ERROR_CODES: Record<ErrorCode, CodeInfo> = {
  parse_error: { rpc: -32700, exit: 1 },
  invalid_request: { rpc: -32600, exit: 1 },
  method_not_found: { rpc: -32601, exit: 1 },
  invalid_params: { rpc: -32602, exit: 2 },
  internal: { rpc: -32603, exit: 1 },
  not_found: { rpc: -32000, exit: 3 },
  already_exists: { rpc: -32001, exit: 1 },
  invalid_config: { rpc: -32002, exit: 1 },
  refused: { rpc: -32003, exit: 1 },
  shutting_down: { rpc: -32004, exit: 1 },
  usage: { rpc: -32602, exit: 2 },
  unreachable: { rpc: -32603, exit: 4 },
  failed: { rpc: -32603, exit: 1 },
};

export class ZinitError extends Error {
  readonly code: ErrorCode;
  readonly data?: unknown;
  constructor(code: ErrorCode, message: string, data?: unknown) {
    super(message);
    this.name = "ZinitError";
    this.code = code;
    this.data = data;
  }
  get rpcCode(): number {
    return ERROR_CODES[this.code].rpc;
  }
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** Maps a JSON-RPC error number received from the server back to our code. */
export function codeFromRpc(rpc: number): ErrorCode {
  for (const [code, info] of Object.entries(ERROR_CODES) as [ErrorCode, CodeInfo][]) {
    if (info.rpc === rpc) return code;
  }
  return "internal";
}
