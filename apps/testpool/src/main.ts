// The test pool's worker process: the shared runtime plus the test handlers.
import { runMain } from "@toolmesh/core";
import { runWorkerService, testHandlers } from "@toolmesh/runtime";

await runMain("testpool", () => runWorkerService({ service: "testpool", pool: "test", handlers: () => testHandlers }));
