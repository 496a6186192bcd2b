// The test pool's worker process: the shared runtime plus the test handlers.
import { runMain } from "@toolmesh/core";
import { runWorkerService } from "@toolmesh/runtime";
import { testHandlers } from "./handlers.js";

await runMain("testpool", () => runWorkerService({ service: "testpool", pool: "test", handlers: () => testHandlers }));
