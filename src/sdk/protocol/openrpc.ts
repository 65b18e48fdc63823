/**
 * The OpenRPC document answered by `rpc.discover`, generated from the method
 * table and the error table so that it always describes exactly the methods
 * the server validates and the errors it answers with.
 */
import { ERROR_CODES, ERROR_NAMES, type ErrorCode } from "../errors.ts";
import { METHOD_TABLE, NOTIFICATIONS, SCHEMAS, type JsonSchema, type MethodSpec } from "./methods.ts";

/** The OpenRPC specification version the document follows. */
export const OPENRPC_VERSION = "1.2.6";

/** An OpenRPC 1.2.6 document (only the parts zinit fills in). */
export interface OpenRpcDocument {
  openrpc: typeof OPENRPC_VERSION;
  info: { title: string; version: string; description: string; license: { name: string } };
  methods: OpenRpcMethod[];
  components: { schemas: Record<string, JsonSchema>; errors: Record<string, OpenRpcError> };
  /** Extension: notifications the server may send after some calls. */
  "x-notifications": { name: string; summary: string; params: JsonSchema }[];
  [extension: `x-${string}`]: unknown;
}

/** An error of an {@link OpenRpcDocument}: `data.name` is what the server puts in every answer of this error. */
export interface OpenRpcError {
  code: number;
  message: string;
  data: { name: ErrorCode };
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

// Only the errors a server answers with; `usage` and `unreachable` are raised by clients.
const WIRE_ERRORS = ERROR_NAMES.filter((name) => ERROR_CODES[name].wire);

// JSON-RPC reserves -32000..-32099 for the server's own errors: those are the ones
// a method's entry lists; the standard ones (and `internal`) apply to every method.
const isServerDefined = (name: ErrorCode) => ERROR_CODES[name].rpc <= -32000 && ERROR_CODES[name].rpc >= -32099;

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
    errors: WIRE_ERRORS.filter(isServerDefined).map((name) => ({ $ref: `#/components/errors/${name}` })),
  };
}

/** Builds the OpenRPC document of the protocol, stamped with the server's version. */
export function buildOpenRpcDocument(version: string): OpenRpcDocument {
  const errors: Record<string, OpenRpcError> = {};
  for (const name of WIRE_ERRORS) {
    errors[name] = { code: ERROR_CODES[name].rpc, message: ERROR_CODES[name].description, data: { name } };
  }
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: "zinit",
      version,
      description:
        "Control API of the zinit process supervisor: JSON-RPC 2.0 over a unix socket, one JSON object per line. " +
        "Every error answer names its error in `error.data.name` (see components.errors): some numbers are shared " +
        "(-32603 is `internal` or `failed`), so decode by name.",
      license: { name: "MIT" },
    },
    methods: (Object.values(METHOD_TABLE) as MethodSpec[]).map(describeMethod),
    components: { schemas: { ...SCHEMAS }, errors },
    "x-notifications": Object.entries(NOTIFICATIONS).map(([name, n]) => ({ name, summary: n.summary, params: n.schema })),
  };
}
