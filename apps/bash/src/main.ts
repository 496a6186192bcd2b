// The bash pool's worker process: bash.exec over the shared runtime.
import { ConfigError, loadConfig, runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { bashConfigSchema } from "./config.js";
import { createBashTools } from "./tools.js";

let sandbox = "unknown";
await runMain("bash", () =>
  runWorkerService({
    service: "bash",
    pool: "bash",
    status: () => `sandbox=${sandbox}`,
    handlers: async (env, log) => {
      const config = loadConfig("bash", bashConfigSchema, env);
      const tools = await createBashTools(config, env).catch((err: unknown) => {
        throw new ConfigError("bash", [err instanceof Error ? err.message : String(err)]);
      });
      sandbox = tools.sandbox;
      if (tools.sandbox === "none") log.warn("bash.exec runs commands WITHOUT a sandbox (TOOLMESH_BASH_SANDBOX=none)");
      else if (!tools.capped)
        log.warn(
          "workflow workspaces are NOT size-capped: mounting a capped tmpfs per workflow needs root; run as root, set TOOLMESH_BASH_WORKSPACE_SCOPE=call, or cap the file system under TOOLMESH_BASH_WORKSPACE",
        );
      log.info(
        {
          sandbox: tools.sandbox,
          workspace: tools.workspace,
          scope: tools.scope,
          capped: tools.capped,
          network: config.TOOLMESH_BASH_ALLOW_NETWORK,
        },
        "bash pool",
      );
      return { "bash.exec": tools["bash.exec"] };
    },
  }),
);
