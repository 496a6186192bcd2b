// The test pool's worker process: the shared runtime plus the test handlers.
import { runWorkerService, testHandlers } from "@toolmesh/runtime";

await runWorkerService({ service: "testpool", pool: "test", handlers: () => testHandlers });
