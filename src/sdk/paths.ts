/**
 * Where things live: flags override ZINIT_* variables, which override the
 * platform defaults (the table is in docs/configuration.md). Pure: the caller
 * passes the environment and the platform, usually process.env and
 * process.platform, so tests and other programs can ask about any machine.
 */
export interface ZinitPaths {
  configDir: string;
  systemDir: string | null;
  socket: string;
}

export interface PathOverrides {
  configDir?: string;
  systemDir?: string;
  socket?: string;
}

export function defaultPaths(env: Record<string, string | undefined>, platform: string): ZinitPaths {
  const home = env.HOME ?? "/root";
  const mac = platform === "darwin";
  return {
    configDir: env.ZINIT_CONFIG_DIR || (mac ? `${home}/hero/cfg/zinit` : "/etc/zinit/services"),
    systemDir: null,
    socket: env.ZINIT_SOCKET || (mac ? `${home}/hero/var/zinit.sock` : "/run/zinit.sock"),
  };
}

export function resolvePaths(
  overrides: PathOverrides,
  env: Record<string, string | undefined>,
  platform: string,
): ZinitPaths {
  const base = defaultPaths(env, platform);
  return {
    configDir: overrides.configDir ?? base.configDir,
    systemDir: overrides.systemDir ?? base.systemDir,
    socket: overrides.socket ?? base.socket,
  };
}

/** The system directory of VM mode, loaded before the config directory with class "system". */
export const SYSTEM_DIR = "/etc/zinit/system";
