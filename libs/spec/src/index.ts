/**
 * @toolmesh/spec — the workflow spec language, shared by everything that
 * writes, reads or runs a spec (coordinator, templates, agent, CLI): the
 * fan-in modes and the join decision, the placeholder grammar, id rules,
 * item selection, cycle detection and the validation of a whole spec. Pure:
 * no I/O. A bad spec throws InvalidSpecError saying what to fix.
 *
 *   import { checkWorkflow, validateWorkflow } from "@toolmesh/spec";
 *   checkWorkflow(spec); // a client, before it submits
 *   const valid = validateWorkflow(spec, bytes, limits); // the coordinator
 */
export { canonicalJson } from "./canonical-json.js";
export { CLIENT_LIMITS, checkWorkflow } from "./client-check.js";
export { InvalidSpecError, PlaceholderError, SpecTooLargeError } from "./errors.js";
export { FAN_IN_MODE_NAMES, fanInModeName, fanInModeNamed, fanInModeOf } from "./fan-in-modes.js";
export type { FanInModeName } from "./fan-in-modes.js";
export { JOIN_ALL, countOutcomes, decideJoin } from "./fan-in.js";
export type { FanInPolicy, JoinCounts, JoinDecision, MemberOutcome } from "./fan-in.js";
export { findCycle } from "./graph.js";
export { ID_PATTERN, MAX_NAME_CHARS, checkId, checkJsonValue, checkTaskOrItemId, checkTemplateName, checkText, shown } from "./ids.js";
export { itemsAt, selectItems } from "./items.js";
export type { ItemSelection } from "./items.js";
export { fillPlaceholders, hasPlaceholder, placeholdersIn, referencedTasks } from "./placeholders.js";
export type { PlaceholderScope } from "./placeholders.js";
export { MAX_BACKOFF_MS, validateWorkflow } from "./validate.js";
export type { Retry, SpecLimits, ValidTask, ValidWorkflow, ValidateOptions } from "./validate.js";
