// Bundles the console's page (web/src, Preact) into dist/web with esbuild:
// one script, one stylesheet, index.html copied. Type checking is tsc's job
// (`tsc -p web/tsconfig.json` in the build script); esbuild only bundles.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}dist/web`;
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: `${root}web/src/main.tsx` },
  outdir: out,
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "linked",
  logLevel: "warning",
});
await copyFile(`${root}web/index.html`, `${out}/index.html`);
await copyFile(`${root}web/style.css`, `${out}/style.css`);
