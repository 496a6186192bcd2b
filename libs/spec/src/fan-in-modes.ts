import { FanInMode } from "@toolmesh/proto";

/**
 * The fan-in modes by name, as workflow files, agent plans and templates
 * write them, and their wire enum. One table, so a new mode is added once.
 */
export const FAN_IN_MODE_NAMES = ["all", "all_settled", "first_success", "quorum", "deadline"] as const;

export type FanInModeName = (typeof FAN_IN_MODE_NAMES)[number];

const TO_ENUM: Record<FanInModeName, FanInMode> = {
  all: FanInMode.FAN_IN_MODE_ALL,
  all_settled: FanInMode.FAN_IN_MODE_ALL_SETTLED,
  first_success: FanInMode.FAN_IN_MODE_FIRST_SUCCESS,
  quorum: FanInMode.FAN_IN_MODE_QUORUM,
  deadline: FanInMode.FAN_IN_MODE_DEADLINE,
};

// UNSPECIFIED is proto3's zero value: a fanIn without a mode joins like "all".
const TO_NAME: ReadonlyMap<FanInMode, FanInModeName> = new Map([
  [FanInMode.FAN_IN_MODE_UNSPECIFIED, "all"],
  ...Object.entries(TO_ENUM).map(([name, mode]) => [mode, name as FanInModeName] as const),
]);

export function fanInModeOf(name: FanInModeName): FanInMode {
  return TO_ENUM[name];
}

/** The name of a wire mode; undefined for UNRECOGNIZED or a number no version of the enum has. */
export function fanInModeName(mode: FanInMode): FanInModeName | undefined {
  return TO_NAME.get(mode);
}

/** A mode written by hand ("all_settled", "ALL-SETTLED"); undefined when it names none. */
export function fanInModeNamed(text: string): FanInModeName | undefined {
  const name = text.toLowerCase().replaceAll("-", "_");
  return (FAN_IN_MODE_NAMES as readonly string[]).includes(name) ? (name as FanInModeName) : undefined;
}
