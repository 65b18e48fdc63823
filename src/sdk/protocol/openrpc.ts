/**
 * The OpenRPC document answered by `rpc.discover`, generated from the method
 * table so that it always describes exactly the methods the server validates.
 */
import { ERROR_CODES, type ErrorCode } from "../errors.ts";
import { METHOD_TABLE, NOTIFICATIONS, SCHEMAS, type JsonSchema, type MethodSpec } from "./methods.ts";

/** The OpenRPC specification version the document follows. */
export const OPENRPC_VERSION = "1.2.6";

/** An OpenRPC 1.2.6 document (only the parts zinit fills in). */
export interface OpenRpcDocument {
  openrpc: typeof OPENRPC_VERSION;
  info: { title: string; version: string; description: string; license: { name: string } };
  methods: OpenRpcMethod[];
  components: { schemas: Record<string, JsonSchema>; errors: Record<string, { code: number; message: string }> };
  /** Extension: notifications the server may send after some calls. */
  "x-notifications": { name: string; summary: string; params: JsonSchema }[];
  [extension: `x-${string}`]: unknown;
}

/** One method of an {@link OpenRpcDocument}. */
export interface OpenRpcMethod {
  name: string;
  summary: string;
  description?: string;
  paramStructure: "by-name";
  params: { name: string; description: string; required: boolean; schema: JsonSchema }[];
  result: { name: string; description: string; schema: JsonSchema };
  errors: { $ref: string }[];
}

// The server-specific errors (SPEC section 10); the standard ones apply to every method.
const DOCUMENTED_ERRORS: ErrorCode[] = [
  "parse_error",
  "invalid_request",
  "method_not_found",
  "invalid_params",
  "internal",
  "not_found",
  "already_exists",
  "invalid_config",
  "refused",
  "shutting_down",
];

const ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  parse_error: "the line is not valid JSON",
  invalid_request: "not a JSON-RPC 2.0 request, or a line over 1 MiB (the connection is closed)",
  method_not_found: "no such method",
  invalid_params: "a param is missing or has the wrong type",
  internal: "internal error",
  not_found: "service not found",
  already_exists: "already exists",
  invalid_config: "invalid config",
  refused: "refused (ignored, system class, conflict)",
  shutting_down: "the server is shutting down",
};

function describeMethod(spec: MethodSpec): OpenRpcMethod {
  return {
    name: spec.name,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    paramStructure: "by-name",
    params: Object.entries(spec.params).map(([name, p]) => ({
      name,
      description: p.description,
      required: p.required,
      schema: p.schema,
    })),
    result: spec.result,
    errors: DOCUMENTED_ERRORS.filter((c) => ERROR_CODES[c].rpc >= -32099 && ERROR_CODES[c].rpc <= -32000).map((c) => ({
      $ref: `#/components/errors/${c}`,
    })),
  };
}

/** Builds the OpenRPC document of the protocol, stamped with the server's version. */
export function buildOpenRpcDocument(version: string): OpenRpcDocument {
  const errors: Record<string, { code: number; message: string }> = {};
  for (const code of DOCUMENTED_ERRORS) {
    errors[code] = { code: ERROR_CODES[code].rpc, message: ERROR_MESSAGES[code] ?? code };
  }
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: "zinit",
      version,
      description:
        "Control API of the zinit process supervisor: JSON-RPC 2.0 over a unix socket, one JSON object per line.",
      license: { name: "MIT" },
    },
    methods: (Object.values(METHOD_TABLE) as MethodSpec[]).map(describeMethod),
    components: { schemas: { ...SCHEMAS }, errors },
    "x-notifications": Object.entries(NOTIFICATIONS).map(([name, n]) => ({ name, summary: n.summary, params: n.schema })),
  };
}
