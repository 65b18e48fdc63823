/**
 * The zinit SDK, the package's entry: the typed socket client, the protocol's
 * shapes, the error type, the service states and the config parser, so other
 * programs can drive zinit or validate service files. Re-exports only.
 */
export { ZinitClient, type LogsOptions } from "./client.ts";
export * from "./protocol/types.ts";
export {
  ZinitError,
  ERROR_CODES,
  ERROR_NAMES,
  codeFromRpc,
  errorFromWire,
  type ErrorCode,
  type ErrorSpec,
  type WireError,
} from "./errors.ts";
export { SERVICE_STATES, isSettled, type ServiceState } from "./states.ts";
export { defaultPaths, resolvePaths, type ZinitPaths, type PathOverrides } from "./paths.ts";
export { buildOpenRpcDocument, type OpenRpcDocument } from "./protocol/openrpc.ts";
export * from "./config/index.ts";
