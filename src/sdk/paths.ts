/**
 * Where things live: flags override ZINIT_* variables, which override the
 * platform defaults (the table is in docs/configuration.md). Pure: the caller
 * passes the environment, the platform and the user id, usually process.env,
 * process.platform and process.getuid(), so tests and other programs can ask
 * about any machine and any user.
 *
 * On Linux a user other than root gets defaults of their own (user mode), so a
 * developer runs `zinit server &` without root: the socket in $XDG_RUNTIME_DIR,
 * or, when that is unset, in a directory under /tmp that only they may enter;
 * the services in ~/.config/zinit/services ($XDG_CONFIG_HOME is honoured).
 */
export interface ZinitPaths {
  configDir: string;
  systemDir: string | null;
  socket: string;
  /**
   * A directory that must be private to the user (mode 0700, owned by them) before
   * the socket is made in it: the /tmp fallback of user mode, where anyone could
   * have created it first. null otherwise.
   */
  privateDir: string | null;
}

export interface PathOverrides {
  configDir?: string;
  systemDir?: string;
  socket?: string;
}

type Env = Record<string, string | undefined>;

/** The socket of the machine's own (root) server on Linux. */
export const SYSTEM_SOCKET = "/run/zinit.sock";
const SYSTEM_CONFIG_DIR = "/etc/zinit/services";

/** `uid` defaults to 0: without it, the machine-wide defaults. */
export function defaultPaths(env: Env, platform: string, uid = 0): ZinitPaths {
  const home = env.HOME ?? "/root";
  const base =
    platform === "darwin"
      ? { configDir: `${home}/hero/cfg/zinit`, socket: `${home}/hero/var/zinit.sock`, privateDir: null }
      : isUserMode(platform, uid)
        ? userDefaults(env, uid)
        : { configDir: SYSTEM_CONFIG_DIR, socket: SYSTEM_SOCKET, privateDir: null };
  return {
    configDir: env.ZINIT_CONFIG_DIR || base.configDir,
    systemDir: null,
    socket: env.ZINIT_SOCKET || base.socket,
    privateDir: env.ZINIT_SOCKET ? null : base.privateDir,
  };
}

export function resolvePaths(overrides: PathOverrides, env: Env, platform: string, uid = 0): ZinitPaths {
  const base = defaultPaths(env, platform, uid);
  return {
    configDir: overrides.configDir ?? base.configDir,
    systemDir: overrides.systemDir ?? base.systemDir,
    socket: overrides.socket ?? base.socket,
    privateDir: overrides.socket === undefined ? base.privateDir : null,
  };
}

/** Linux, and not root. */
export function isUserMode(platform: string, uid: number): boolean {
  return platform === "linux" && uid !== 0;
}

/** The private directory of user mode when $XDG_RUNTIME_DIR is unset. */
export function userPrivateDir(uid: number): string {
  return `/tmp/zinit-${uid}`;
}

function userDefaults(env: Env, uid: number): { configDir: string; socket: string; privateDir: string | null } {
  const configHome = env.XDG_CONFIG_HOME || `${env.HOME || "/"}/.config`.replace(/^\/\//, "/");
  const runtime = env.XDG_RUNTIME_DIR;
  const privateDir = runtime ? null : userPrivateDir(uid);
  return { configDir: `${configHome}/zinit/services`, socket: `${runtime || privateDir}/zinit.sock`, privateDir };
}

/**
 * The sockets a CLI tries, in order. A flag or ZINIT_SOCKET names exactly one. A
 * user in user mode first tries their own server and then the machine's, so the
 * same `zinit list` works for a developer's own services and, when they run none,
 * for the system's (if they may connect to it).
 */
export function socketCandidates(overrides: { socket?: string }, env: Env, platform: string, uid = 0): string[] {
  const own = resolvePaths(overrides, env, platform, uid).socket;
  if (overrides.socket !== undefined || env.ZINIT_SOCKET || !isUserMode(platform, uid)) return [own];
  return [own, SYSTEM_SOCKET];
}

/** The system directory of VM mode, loaded before the config directory with class "system". */
export const SYSTEM_DIR = "/etc/zinit/system";
