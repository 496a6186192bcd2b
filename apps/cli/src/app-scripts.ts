import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A service's process entry (`toolmesh up` runs the coordinator and the
 * autoscaler), through its package's ./main export: the service is this
 * package's dependency and is run, never reached into by path.
 */
export function appScript(app: string): string {
  return require.resolve(`@toolmesh/${app}/main`);
}
