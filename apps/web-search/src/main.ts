// The web pool's worker process: web.search and web.fetch over the shared runtime.
import { runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { pageHasText, searchFoundSomething, withQuality } from "./quality.js";
import { CONFIGURE_WEB_SEARCH, createWebTools, isWebProvider, parseWebConfig, type WebTools } from "./tools/index.js";

let tools: WebTools | undefined;
await runMain("web-search", () =>
  runWorkerService({
    service: "web-search",
    pool: "web",
    onStop: async () => tools?.close(),
    handlers: (env, log) => {
      tools = createWebTools(parseWebConfig(env));
      log.info({ providers: tools.providers }, "web pool");
      if (!tools.providers.some(isWebProvider))
        log.warn(`web.search has no web provider: results come from the local index only; ${CONFIGURE_WEB_SEARCH}`);
      return {
        "web.search": withQuality(tools["web.search"], searchFoundSomething),
        "web.fetch": withQuality(tools["web.fetch"], pageHasText),
      };
    },
  }),
);
