import { fileURLToPath } from "node:url";

/** A built service of this repository: apps/<app>/dist/main.js. */
export function appScript(app: string): string {
  return fileURLToPath(new URL(`../../${app}/dist/main.js`, import.meta.url));
}
