// The web pool's worker process: web.search and web.fetch over the shared runtime.
import { runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { createWebTools, parseWebConfig } from "./tools/index.js";

await runMain("web-search", () =>
  runWorkerService({
    service: "web-search",
    pool: "web",
    handlers: (env, log) => {
      const options = parseWebConfig(env);
      const tools = createWebTools(options);
      log.info({ providers: tools.providers }, "web pool");
      return { "web.search": tools["web.search"], "web.fetch": tools["web.fetch"] };
    },
  }),
);
