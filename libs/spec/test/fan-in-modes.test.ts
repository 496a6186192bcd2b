import { FanInMode } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { FAN_IN_MODE_NAMES, fanInModeName, fanInModeNamed, fanInModeOf } from "../src/index.js";

describe("fan-in mode names", () => {
  it("map to the wire enum and back", () => {
    for (const name of FAN_IN_MODE_NAMES) expect(fanInModeName(fanInModeOf(name))).toBe(name);
    expect(fanInModeOf("all_settled")).toBe(FanInMode.FAN_IN_MODE_ALL_SETTLED);
  });

  it("read an unset mode as all, and know no UNRECOGNIZED or unknown number", () => {
    expect(fanInModeName(FanInMode.FAN_IN_MODE_UNSPECIFIED)).toBe("all");
    expect(fanInModeName(FanInMode.UNRECOGNIZED)).toBeUndefined();
    expect(fanInModeName(17 as FanInMode)).toBeUndefined();
  });

  it("read hand-written names whatever their case and dashes", () => {
    expect(fanInModeNamed("ALL-SETTLED")).toBe("all_settled");
    expect(fanInModeNamed("first_success")).toBe("first_success");
    expect(fanInModeNamed("most")).toBeUndefined();
  });
});
