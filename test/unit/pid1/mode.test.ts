/** How zinit-pid1 picks container or VM mode from the facts it reads. */
import { describe, expect, test } from "bun:test";
import { decideMode, type ModeFacts } from "../../../src/pid1/mode.ts";

/** A machine's own init: PID 1, kthreadd as PID 2, no marker, nothing asked. */
const machineInit: ModeFacts = { containerFlag: false, envValue: undefined, isPid1: true, pid: 1, pid2Name: "kthreadd", markers: [] };
const facts = (over: Partial<ModeFacts>): ModeFacts => ({ ...machineInit, ...over });

describe("decideMode", () => {
  test("the init of the machine's own PID namespace, with nothing asked, is VM mode", () => {
    expect(decideMode(machineInit)).toEqual({ mode: "vm", why: expect.stringContaining("kthreadd is PID 2"), notes: [] });
  });

  test("PID 2 not being kthreadd, or absent, means a container's PID namespace", () => {
    expect(decideMode(facts({ pid2Name: null }))).toEqual({ mode: "container", why: "PID 2 is not kthreadd (there is no PID 2)", notes: [] });
    expect(decideMode(facts({ pid2Name: "sh" }))).toEqual({ mode: "container", why: "PID 2 is not kthreadd (it is sh)", notes: [] });
  });

  test("any container marker means container mode, even with kthreadd visible; every sign is named", () => {
    for (const marker of ["/.dockerenv", "/run/.containerenv"]) {
      expect(decideMode(facts({ markers: [marker] }))).toMatchObject({ mode: "container", why: `${marker} exists` });
    }
    expect(decideMode(facts({ markers: ["container=podman"] }))).toMatchObject({ mode: "container", why: "container=podman is in the environment" });
    expect(decideMode(facts({ pid2Name: null, markers: ["/.dockerenv"] }))).toMatchObject({
      mode: "container",
      why: "PID 2 is not kthreadd (there is no PID 2); /.dockerenv exists",
    });
  });

  test("--container and ZINIT_CONTAINER=1/true/yes force container mode, PID 1 or not", () => {
    expect(decideMode(facts({ containerFlag: true }))).toMatchObject({ mode: "container", why: "--container given" });
    expect(decideMode(facts({ containerFlag: true, isPid1: false, pid: 42 }))).toMatchObject({ mode: "container" });
    for (const v of ["1", "true", "yes", "TRUE", "on"]) {
      expect(decideMode(facts({ envValue: v, isPid1: false, pid: 42 }))).toMatchObject({ mode: "container", why: `ZINIT_CONTAINER=${v}` });
    }
  });

  test("ZINIT_CONTAINER=0/false/no forces VM mode, over every sign of a container (system containers)", () => {
    for (const v of ["0", "false", "no", "off"]) {
      expect(decideMode(facts({ envValue: v, pid2Name: null, markers: ["/.dockerenv", "container=lxc"] }))).toEqual({
        mode: "vm",
        why: `ZINIT_CONTAINER=${v}`,
        notes: [],
      });
    }
  });

  test("the --container flag wins over ZINIT_CONTAINER=0", () => {
    expect(decideMode(facts({ containerFlag: true, envValue: "0" }))).toMatchObject({ mode: "container", why: "--container given" });
  });

  test("an empty ZINIT_CONTAINER counts as unset; an unknown value is ignored with a note, not a refusal to boot", () => {
    expect(decideMode(facts({ envValue: "" }))).toMatchObject({ mode: "vm", notes: [] });
    const d = decideMode(facts({ envValue: "maybe", pid2Name: null }));
    expect(d).toMatchObject({ mode: "container", notes: ['ZINIT_CONTAINER="maybe" is neither 1/true/yes nor 0/false/no; ignored'] });
  });

  test("not PID 1 and not asked for container mode is an error naming the pid and the way out, markers or not", () => {
    for (const f of [facts({ isPid1: false, pid: 4242 }), facts({ isPid1: false, pid: 4242, pid2Name: null, markers: ["/.dockerenv"] })]) {
      const d = decideMode(f);
      expect("error" in d && d.error).toBe(
        "not PID 1 (this is pid 4242): VM mode needs PID 1; pass --container (or ZINIT_CONTAINER=1) to run in container mode under another init",
      );
    }
    const forcedVm = decideMode(facts({ isPid1: false, pid: 7, envValue: "0" }));
    expect("error" in forcedVm && forcedVm.error).toContain("ZINIT_CONTAINER=0 asks for VM mode, which needs PID 1 (this is pid 7)");
  });
});
