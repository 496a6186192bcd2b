import { WindowRecorder } from "@toolmesh/runtime";
import { describe, expect, it } from "vitest";

describe("WindowRecorder", () => {
  it("turns a window's calls, quality scores, slot samples and pulls into rates, then starts afresh", () => {
    const w = new WindowRecorder();
    w.finished(10, true, 1);
    w.finished(30, true, 0);
    w.finished(20, false);
    w.sample(4, 8);
    w.sample(8, 8);
    w.pulled(4, 4);
    const m = w.take();
    expect(m).toMatchObject({ finished: 3, failed: 1, meanMs: 20, quality: 0.5, saturation: 0.75, backlog: true });
    expect(m.errorRate).toBeCloseTo(1 / 3);
    expect(w.take()).toMatchObject({ finished: 0, errorRate: 0, quality: 1, saturation: 0, backlog: false });
  });

  it("counts a window spent at the limit without pulling as backlog, and a short pull as none", () => {
    const busy = new WindowRecorder();
    busy.sample(8, 8);
    expect(busy.take().backlog).toBe(true);
    const short = new WindowRecorder();
    short.sample(8, 8);
    short.pulled(4, 1);
    expect(short.take().backlog).toBe(false);
  });
});
