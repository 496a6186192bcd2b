import { describe, expect, it } from "vitest";
import { afterAnswer } from "../src/engine/after-answer.js";

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("afterAnswer", () => {
  it("runs the work in the second turn's check phase, not in the first", async () => {
    const ran: string[] = [];
    afterAnswer(() => ran.push("deferred"));
    // An immediate queued now runs in this turn's check phase, right after afterAnswer's first.
    await nextTurn();
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(["deferred"]);
  });
});
