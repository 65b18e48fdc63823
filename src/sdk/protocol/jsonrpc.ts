/**
 * JSON-RPC 2.0 message shapes and the classification of one received line.
 * Pure. Batches (JSON arrays) are not part of zinit's protocol: one object per
 * line (docs/protocol.md), so an array is an invalid request.
 */
import { ERROR_CODES, wireError, type ErrorCode, type ZinitError } from "../errors.ts";

/** A request id. `null` only appears in errors that cannot name their request. */
export type JsonRpcId = string | number | null;

/** A call that expects an answer. */
export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: string | number | null;
  method: string;
  params?: unknown;
}

/** A message without an id: nobody answers it (the server's `event` and `log`). */
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
}

/** The `error` member of a failed response. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A successful answer. */
export interface JsonRpcSuccess {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result: unknown;
}

/** A failed answer. */
export interface JsonRpcFailure {
  jsonrpc: "2.0";
  id: JsonRpcId;
  error: JsonRpcErrorObject;
}

/** Either answer. */
export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;

/** Any message that may travel on the socket. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** The standard error numbers of JSON-RPC 2.0, as the error table has them. */
export const RPC_ERRORS = {
  parseError: ERROR_CODES.parse_error.rpc,
  invalidRequest: ERROR_CODES.invalid_request.rpc,
  methodNotFound: ERROR_CODES.method_not_found.rpc,
  invalidParams: ERROR_CODES.invalid_params.rpc,
  internalError: ERROR_CODES.internal.rpc,
} as const;

/** The result of {@link parseMessage}: what the line is, or why it is not a message. */
export type ParsedMessage =
  | { kind: "request"; message: JsonRpcRequest }
  | { kind: "notification"; message: JsonRpcNotification }
  | { kind: "response"; message: JsonRpcResponse }
  /** Valid JSON that is no JSON-RPC message; `id` is the request's when it could be read. */
  | { kind: "invalid"; id: JsonRpcId; error: JsonRpcErrorObject }
  /** Not JSON at all. */
  | { kind: "parse_error"; error: JsonRpcErrorObject };

/** Builds a success response. */
export function success(id: JsonRpcId, result: unknown): JsonRpcSuccess {
  return { jsonrpc: "2.0", id, result };
}

/** Builds an error response; `data` is left out when undefined. */
export function failure(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcFailure {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: "2.0", id, error };
}

/**
 * Builds the error response named `name` in the error table: its number, and
 * `data.name` so that a client can tell apart names that share a number.
 */
export function namedFailure(id: JsonRpcId, name: ErrorCode, message: string, detail?: unknown): JsonRpcFailure {
  return { jsonrpc: "2.0", id, error: wireError(name, message, detail) };
}

/** Builds the error response for a {@link ZinitError}, keeping its code, message and data. */
export function failureFromError(id: JsonRpcId, err: ZinitError): JsonRpcFailure {
  return namedFailure(id, err.code, err.message, err.data);
}

/** Builds a notification; `params` is left out when undefined. */
export function notification(method: string, params?: unknown): JsonRpcNotification {
  return params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
}

/** Builds a request. */
export function request(id: string | number, method: string, params?: unknown): JsonRpcRequest {
  return params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function invalid(id: JsonRpcId, message: string): ParsedMessage {
  return { kind: "invalid", id, error: { code: RPC_ERRORS.invalidRequest, message } };
}

/**
 * Classifies one line. Never throws: a line that is not JSON is a `parse_error`
 * (-32700), JSON that is not a JSON-RPC 2.0 message is `invalid` (-32600).
 */
export function parseMessage(line: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { kind: "parse_error", error: { code: RPC_ERRORS.parseError, message: `parse error: ${detail}` } };
  }
  return classify(value);
}

/** Classifies an already parsed JSON value (see {@link parseMessage}). */
export function classify(value: unknown): ParsedMessage {
  if (Array.isArray(value)) return invalid(null, "invalid request: batches are not supported, send one object per line");
  if (!isObject(value)) return invalid(null, "invalid request: expected a JSON object");
  const hasId = "id" in value;
  const id = hasId && isId(value.id) ? value.id : null;
  if (value.jsonrpc !== "2.0") return invalid(id, 'invalid request: "jsonrpc" must be "2.0"');
  if (hasId && !isId(value.id)) return invalid(null, 'invalid request: "id" must be a string, a number or null');

  if ("method" in value) {
    if (typeof value.method !== "string") return invalid(id, 'invalid request: "method" must be a string');
    if ("params" in value && value.params !== undefined && typeof value.params !== "object") {
      return invalid(id, 'invalid request: "params" must be an object or an array');
    }
    const base = { jsonrpc: "2.0" as const, method: value.method, ...("params" in value ? { params: value.params } : {}) };
    if (!hasId) return { kind: "notification", message: base };
    return { kind: "request", message: { ...base, id: id } };
  }

  if (hasId && "result" in value && !("error" in value)) {
    return { kind: "response", message: { jsonrpc: "2.0", id, result: value.result } };
  }
  if (hasId && "error" in value && !("result" in value)) {
    const error = value.error;
    if (isObject(error) && typeof error.code === "number" && typeof error.message === "string") {
      const obj: JsonRpcErrorObject =
        error.data === undefined
          ? { code: error.code, message: error.message }
          : { code: error.code, message: error.message, data: error.data };
      return { kind: "response", message: { jsonrpc: "2.0", id, error: obj } };
    }
    return invalid(id, 'invalid response: "error" must hold a numeric code and a message');
  }
  return invalid(id, 'invalid request: expected "method", or exactly one of "result" and "error"');
}
