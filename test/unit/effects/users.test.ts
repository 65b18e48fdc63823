/** resolveAccount against a fake /etc: ids, and the login variables a `user` brings. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveAccount } from "../../../src/server/effects/users.ts";

const etc = mkdtempSync(join(tmpdir(), "zinit-etc-"));
writeFileSync(
  join(etc, "passwd"),
  ["root:x:0:0:root:/root:/bin/bash", "# a comment", "app:x:1000:1001:App:/srv/app:/bin/sh", "bare:x:1002:1002:::", ""].join("\n"),
);
writeFileSync(join(etc, "group"), ["root:x:0:", "web:x:33:", ""].join("\n"));
afterAll(() => rmSync(etc, { recursive: true, force: true }));

describe("resolveAccount", () => {
  test("a user by name: its ids and its HOME, USER, LOGNAME, SHELL", () => {
    expect(resolveAccount("app", null, etc)).toEqual({
      uid: 1000,
      gid: 1001,
      loginEnv: { HOME: "/srv/app", USER: "app", LOGNAME: "app", SHELL: "/bin/sh" },
    });
  });

  test("a user by number is the same passwd entry, named", () => {
    expect(resolveAccount("1000", null, etc).loginEnv.USER).toBe("app");
  });

  test("an empty home is /, never root's; an empty shell is not set", () => {
    expect(resolveAccount("bare", null, etc).loginEnv).toEqual({ HOME: "/", USER: "bare", LOGNAME: "bare" });
  });

  test("a uid without a passwd entry: HOME=/ and the number as the name", () => {
    expect(resolveAccount("4242", null, etc)).toEqual({ uid: 4242, gid: 4242, loginEnv: { HOME: "/", USER: "4242", LOGNAME: "4242" } });
  });

  test("group alone sets the gid and no login variable", () => {
    expect(resolveAccount(null, "web", etc)).toEqual({ gid: 33, loginEnv: {} });
    expect(resolveAccount(null, null, etc)).toEqual({ loginEnv: {} });
  });

  test("group overrides the user's primary group but not its login variables", () => {
    expect(resolveAccount("app", "web", etc)).toMatchObject({ uid: 1000, gid: 33, loginEnv: { USER: "app" } });
  });

  test("an unknown name is a config error naming the file", () => {
    expect(() => resolveAccount("ghost", null, etc)).toThrow(`user "ghost" not found in ${etc}/passwd`);
    expect(() => resolveAccount(null, "ghosts", etc)).toThrow(`group "ghosts" not found in ${etc}/group`);
  });
});
