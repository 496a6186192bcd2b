#!/usr/bin/env node
// Entry point of `toolmesh-bench` (`npm run bench` and friends); the code is compiled to ../dist by `npm run build`.
import { existsSync } from "node:fs";

const main = new URL("../dist/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("toolmesh-bench is not built yet: run `npm run build` at the repository root first\n");
  process.exit(1);
}
await import(main.href);
