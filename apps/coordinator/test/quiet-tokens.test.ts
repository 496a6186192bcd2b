import type { ResultMessage } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { FinishedCalls, checkQuietResult, randomToken } from "../src/quiet/quiet-tokens.js";

const result = (fields: Partial<ResultMessage>): ResultMessage => ({
  workflowId: "q1",
  taskId: "call",
  attempt: 1,
  worker: "w",
  startedAtMs: 0,
  finishedAtMs: 0,
  pool: "test",
  ...fields,
});

describe("quiet call tokens", () => {
  it("are 128 random bits each, none repeated across page refills", () => {
    const tokens = Array.from({ length: 2000 }, randomToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens.slice(0, 10)) expect(Buffer.from(token, "base64url")).toHaveLength(16);
  });

  it("accept the holder of the current or an earlier attempt, and refuse everything else by its reason", () => {
    const sent = { pool: "test", tokens: [randomToken(), randomToken()] };
    expect(checkQuietResult(sent, "call", result({ attempt: 2, attemptToken: sent.tokens[1] }))).toBeUndefined();
    expect(checkQuietResult(sent, "call", result({ attempt: 1, attemptToken: sent.tokens[0] }))).toBeUndefined();
    // Attempt 2's token does not answer for attempt 1.
    expect(checkQuietResult(sent, "call", result({ attempt: 1, attemptToken: sent.tokens[1] }))).toBe("bad_token");
    expect(checkQuietResult(sent, "call", result({ attempt: 3, attemptToken: sent.tokens[1] }))).toBe("unknown_attempt");
    expect(checkQuietResult(sent, "call", result({ attempt: 0, attemptToken: sent.tokens[0] }))).toBe("unknown_attempt");
    expect(checkQuietResult(sent, "call", result({ taskId: "other", attemptToken: sent.tokens[0] }))).toBe("unknown_attempt");
    expect(checkQuietResult(sent, "call", result({ pool: "web", attemptToken: sent.tokens[0] }))).toBe("wrong_pool");
    expect(checkQuietResult(sent, "call", result({}))).toBe("missing_token");
    expect(checkQuietResult(sent, "call", result({ attemptToken: "short" }))).toBe("bad_token");
  });

  it("of finished calls are kept for late answers, the oldest forgotten first past the bound", () => {
    const finished = new FinishedCalls();
    finished.add("none", { pool: "test", tokens: [] });
    expect(finished.get("none")).toBeUndefined();
    for (let i = 0; i < 8193; i += 1) finished.add(`c${i}`, { pool: "test", tokens: [String(i)] });
    expect(finished.get("c0")).toBeUndefined();
    expect(finished.get("c1")?.tokens).toEqual(["1"]);
    expect(finished.get("c8192")?.tokens).toEqual(["8192"]);
  });
});
