import { connect } from "@nats-io/transport-node";
import { randomUUID } from "node:crypto";
import { CALL_TIMEOUT_MS, ECHO_VALUE, echoMismatch } from "./payload.js";
import { ProcessGroup, benchScript } from "./processes.js";
import type { BenchSystem } from "./system.js";

/**
 * The floor toolmesh is built on: core NATS request/reply (muxed inbox) to a
 * responder in another process, with the same payload and concurrency.
 */
export async function startRawNats(natsUrl: string): Promise<BenchSystem> {
  const subject = `bench.echo.${randomUUID().slice(0, 8)}`;
  const group = new ProcessGroup();
  try {
    const [responder] = await group.start({
      name: "responder",
      script: benchScript("responder"),
      env: { TOOLMESH_NATS_URL: natsUrl, TOOLMESH_BENCH_SUBJECT: subject },
    });
    const nc = await connect({ servers: natsUrl, name: "bench-requester" });
    const payload = new TextEncoder().encode(ECHO_VALUE);
    return {
      key: "raw-nats",
      name: "raw NATS request/reply",
      processes: [{ label: "responder", pid: responder!.child.pid }],
      uses: ["nats"],
      async call() {
        const reply = await nc.request(subject, payload, { timeout: CALL_TIMEOUT_MS });
        const echoed = reply.string();
        if (echoed !== ECHO_VALUE) throw echoMismatch("raw NATS", echoed);
      },
      async close() {
        await nc.close();
        await group.stopAll();
      },
    };
  } catch (err) {
    await group.stopAll();
    throw err;
  }
}
