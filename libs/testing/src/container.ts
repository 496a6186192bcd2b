import { startNatsServer, type NatsServerHandle } from "@toolmesh/local";

/**
 * True when testcontainers can reach a container runtime. On machines without
 * one (no Docker engine) the client rejects within milliseconds.
 */
export async function containerRuntimeAvailable(): Promise<boolean> {
  if (process.env.TOOLMESH_TEST_CONTAINERS === "0") return false;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * A nats-server with JetStream for one suite: testcontainers' container when a
 * runtime is reachable, otherwise a local nats-server process.
 */
export async function startTestNats(): Promise<NatsServerHandle> {
  if (!(await containerRuntimeAvailable())) return startLocalNats();
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer("nats:2.10-alpine")
    .withCommand(["-js", "-sd", "/data"])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  const port = container.getMappedPort(4222);
  const handle: NatsServerHandle = {
    url: `nats://${container.getHost()}:${port}`,
    port,
    storeDir: "/data",
    pid: undefined,
    kind: "container",
    async stop() {
      await container.stop();
    },
    async restart() {
      await container.restart();
    },
    [Symbol.asyncDispose]: () => handle.stop(),
  };
  return handle;
}

/**
 * startNatsServer gives a server 10 s to say it is ready; on a machine loaded
 * far beyond its cores that can pass before it has had its share of CPU. A
 * server that was merely slow is tried again (three tries in all); one that
 * failed for another reason (missing binary, bad store) fails at once.
 */
async function startLocalNats(tries = 3): Promise<NatsServerHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsServer();
    } catch (err) {
      if (attempt >= tries || !/did not become ready/.test(String(err))) throw err;
      process.stderr.write(`nats-server was slow to start (try ${attempt} of ${tries}); trying again\n`);
    }
  }
}
