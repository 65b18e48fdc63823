/** The config model: service and target files in, validated units out. */
export * from "./types.ts";
export { SplitError, splitExec } from "./split.ts";
export { normalizeSignal, signalName, signalNumber, SIGNAL_NAMES } from "./signals.ts";
export { isValidName, nameProblem, NAME_MAX_LENGTH } from "./schema.ts";
export { describeValue } from "./issues.ts";
export { effectiveConfig, parseService, parseUnit, type ParseResult } from "./parse.ts";
export { loadDirectories, loadDirectory, serviceFileNames, type DirectorySource, type LoadOptions } from "./load.ts";
export { parseDotenv, envFileEntry, type DotenvResult, type EnvLineError } from "./dotenv.ts";
export { envFileIssues, readEnvFiles, EnvFileError, MAX_ENV_FILE_BYTES } from "./env-files.ts";
