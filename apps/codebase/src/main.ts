// The codebase pool's worker process: code.glob, code.grep, code.read and
// code.analyze over the roots in TOOLMESH_CODEBASE_ROOTS.
import { ConfigError, commaList, runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { createCodebaseTools, parseRoots } from "./index.js";

await runMain("codebase", () =>
  runWorkerService({
    service: "codebase",
    pool: "codebase",
    handlers: (env, log) => {
      const spec = commaList.parse(env.TOOLMESH_CODEBASE_ROOTS ?? process.cwd());
      let roots;
      try {
        roots = parseRoots(spec);
      } catch (err) {
        throw new ConfigError("codebase", [`TOOLMESH_CODEBASE_ROOTS: ${err instanceof Error ? err.message : String(err)}`]);
      }
      const ripgrep = env.TOOLMESH_RIPGREP === "off" ? null : env.TOOLMESH_RIPGREP || undefined;
      const tools = createCodebaseTools({ roots, ripgrep });
      log.info({ roots, engine: tools.engine }, "codebase roots");
      return {
        "code.glob": tools["code.glob"],
        "code.grep": tools["code.grep"],
        "code.read": tools["code.read"],
        "code.analyze": tools["code.analyze"],
      };
    },
  }),
);
