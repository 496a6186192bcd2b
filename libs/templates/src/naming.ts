/** Where a template's graph sits in a workflow: id and stage prefixes, so two graphs can share one spec. */
// Plain functions (no `this`): graph builders destructure them.
export interface Namespace {
  id: (name: string) => string;
  stage: (name: string) => string;
}

export const ROOT_NAMESPACE: Namespace = { id: (name) => name, stage: (name) => name };

/** Ids "<prefix>-<name>", stages "<prefix>:<name>". */
export function namespace(prefix: string): Namespace {
  return { id: (name) => `${prefix}-${name}`, stage: (name) => `${prefix}:${name}` };
}
