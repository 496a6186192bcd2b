// The web pool's worker process: web.search and web.fetch over the shared runtime.
import { runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { pageHasText, searchFoundSomething, withQuality } from "./quality.js";
import { createWebTools, parseWebConfig, type WebTools } from "./tools/index.js";

let tools: WebTools | undefined;
await runMain("web-search", () =>
  runWorkerService({
    service: "web-search",
    pool: "web",
    onStop: async () => tools?.close(),
    handlers: (env, log) => {
      tools = createWebTools(parseWebConfig(env));
      log.info({ providers: tools.providers }, "web pool");
      return {
        "web.search": withQuality(tools["web.search"], searchFoundSomething),
        "web.fetch": withQuality(tools["web.fetch"], pageHasText),
      };
    },
  }),
);
