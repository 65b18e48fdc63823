/**
 * Where things live (SPEC section 3): flags override ZINIT_* variables, which
 * override the platform defaults. Pure: the environment and platform are arguments.
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

export function defaultPaths(
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
): ZinitPaths {
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
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
): ZinitPaths {
  const base = defaultPaths(env, platform);
  return {
    configDir: overrides.configDir ?? base.configDir,
    systemDir: overrides.systemDir ?? base.systemDir,
    socket: overrides.socket ?? base.socket,
  };
}

/** VM mode's system directory (SPEC section 2). */
export const SYSTEM_DIR = "/etc/zinit/system";
