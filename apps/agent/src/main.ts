// The agent pool's worker process: agent.run over the shared runtime.
// Configuration: see config.ts (TOOLMESH_COORDINATOR_ADDRESS, TOOLMESH_GRPC_TOKEN, TOOLMESH_GRPC_TLS_*, TOOLMESH_LLM_*).
import { runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { describeConfig, parseAgentConfig } from "./config.js";
import { createAgentHandlers, type AgentHandlers } from "./index.js";

let agent: AgentHandlers | undefined;
await runMain("agent", () =>
  runWorkerService({
    service: "agent",
    pool: "agent",
    onStop: async () => agent?.close(),
    handlers: (env, log) => {
      const config = parseAgentConfig(env);
      agent = createAgentHandlers(config, (message) => log.warn(message));
      log.info(describeConfig(config), "agent pool");
      return agent.handlers;
    },
  }),
);
