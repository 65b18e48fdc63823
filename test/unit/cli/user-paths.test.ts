/** Where the socket and the services are, for root and for other users (user mode). */
import { expect, test } from "bun:test";
import { SYSTEM_SOCKET, defaultPaths, resolvePaths, socketCandidates } from "../../../src/sdk/paths.ts";

const HOME = { HOME: "/home/dev" };

test("root on Linux: the machine's paths", () => {
  expect(defaultPaths({ ...HOME, XDG_RUNTIME_DIR: "/run/user/0" }, "linux", 0)).toEqual({
    configDir: "/etc/zinit/services",
    systemDir: null,
    socket: "/run/zinit.sock",
    privateDir: null,
  });
  // Without a uid: the machine's defaults, as before user mode existed.
  expect(defaultPaths(HOME, "linux").socket).toBe("/run/zinit.sock");
});

test("another user: the socket in $XDG_RUNTIME_DIR, the services in ~/.config", () => {
  expect(defaultPaths({ ...HOME, XDG_RUNTIME_DIR: "/run/user/1000" }, "linux", 1000)).toEqual({
    configDir: "/home/dev/.config/zinit/services",
    systemDir: null,
    socket: "/run/user/1000/zinit.sock",
    privateDir: null,
  });
  expect(defaultPaths({ ...HOME, XDG_CONFIG_HOME: "/cfg" }, "linux", 1000).configDir).toBe("/cfg/zinit/services");
});

test("another user without $XDG_RUNTIME_DIR: a private directory under /tmp, named for the uid", () => {
  const p = defaultPaths(HOME, "linux", 65534);
  expect(p.socket).toBe("/tmp/zinit-65534/zinit.sock");
  expect(p.privateDir).toBe("/tmp/zinit-65534");
});

test("ZINIT_* and flags win over user mode", () => {
  const env = { ...HOME, ZINIT_SOCKET: "/srv/z.sock", ZINIT_CONFIG_DIR: "/srv/services" };
  expect(defaultPaths(env, "linux", 1000)).toMatchObject({ socket: "/srv/z.sock", configDir: "/srv/services", privateDir: null });
  const flags = resolvePaths({ socket: "/x.sock", configDir: "/d" }, HOME, "linux", 1000);
  expect(flags).toMatchObject({ socket: "/x.sock", configDir: "/d", privateDir: null });
});

test("macOS keeps its own defaults for everyone", () => {
  expect(defaultPaths(HOME, "darwin", 501)).toMatchObject({ socket: "/home/dev/hero/var/zinit.sock", configDir: "/home/dev/hero/cfg/zinit" });
});

test("the CLI of a user tries their own socket, then the machine's; root and explicit sockets try one", () => {
  expect(socketCandidates({}, { ...HOME, XDG_RUNTIME_DIR: "/run/user/1000" }, "linux", 1000)).toEqual(["/run/user/1000/zinit.sock", SYSTEM_SOCKET]);
  expect(socketCandidates({}, HOME, "linux", 0)).toEqual([SYSTEM_SOCKET]);
  expect(socketCandidates({ socket: "/x.sock" }, HOME, "linux", 1000)).toEqual(["/x.sock"]);
  expect(socketCandidates({}, { ...HOME, ZINIT_SOCKET: "/y.sock" }, "linux", 1000)).toEqual(["/y.sock"]);
});
