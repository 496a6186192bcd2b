import { describe, expect, it } from "vitest";
import { countOutcomes, decideJoin, JOIN_ALL, type FanInPolicy, type MemberOutcome } from "../src/index.js";

const decide = (policy: FanInPolicy, outcomes: MemberOutcome[], deadlinePassed = false) =>
  decideJoin(policy, countOutcomes(outcomes), deadlinePassed, "m1");
const policy = (mode: FanInPolicy["mode"], extra: Partial<FanInPolicy> = {}): FanInPolicy => ({
  mode,
  quorum: 0,
  deadlineMs: 1000,
  ...extra,
});

describe("decideJoin", () => {
  it("all: waits for every member, fails on the first failure naming it", () => {
    expect(decide(JOIN_ALL, ["succeeded", "open"])).toEqual({ kind: "wait" });
    expect(decide(JOIN_ALL, ["succeeded", "succeeded"])).toEqual({ kind: "go", cancelOpen: false });
    expect(decide(JOIN_ALL, ["failed", "open"])).toEqual({ kind: "fail", reason: 'dependency "m1" did not succeed' });
  });

  it("all_settled: waits for every member, goes when any succeeded", () => {
    expect(decide(policy("all_settled"), ["failed", "open"])).toEqual({ kind: "wait" });
    expect(decide(policy("all_settled"), ["failed", "succeeded"])).toEqual({ kind: "go", cancelOpen: false });
    expect(decide(policy("all_settled"), ["failed", "failed"]).kind).toBe("fail");
  });

  it("first_success: goes on the first success and drops the rest", () => {
    expect(decide(policy("first_success"), ["failed", "open"])).toEqual({ kind: "wait" });
    expect(decide(policy("first_success"), ["open", "succeeded"])).toEqual({ kind: "go", cancelOpen: true });
    expect(decide(policy("first_success"), ["failed", "failed"]).kind).toBe("fail");
  });

  it("quorum: goes at the quorum, fails once it cannot be reached, caps the quorum at the member count", () => {
    const q2 = policy("quorum", { quorum: 2 });
    expect(decide(q2, ["succeeded", "open", "open"])).toEqual({ kind: "wait" });
    expect(decide(q2, ["succeeded", "succeeded", "open"])).toEqual({ kind: "go", cancelOpen: true });
    expect(decide(q2, ["failed", "failed", "open"]).kind).toBe("fail");
    expect(decide(policy("quorum", { quorum: 5 }), ["succeeded", "succeeded"])).toEqual({ kind: "go", cancelOpen: true });
  });

  it("deadline: waits until all settle or the deadline passes, then goes with any success", () => {
    const d = policy("deadline");
    expect(decide(d, ["succeeded", "open"])).toEqual({ kind: "wait" });
    expect(decide(d, ["succeeded", "open"], true)).toEqual({ kind: "go", cancelOpen: true });
    expect(decide(d, ["open"], true)).toEqual({ kind: "fail", reason: "nothing succeeded within 1000 ms" });
    expect(decide(d, ["failed"])).toEqual({ kind: "fail", reason: "none of the 1 members succeeded" });
  });

  it("no members: every mode goes", () => {
    for (const mode of ["all", "all_settled", "first_success", "quorum", "deadline"] as const)
      expect(decide(policy(mode), []).kind).toBe("go");
  });
});
