// The raw NATS baseline's responder: a child process that answers every
// request on its subject with the request's own payload.
import { connect } from "@nats-io/transport-node";
import { createLogger, onShutdown } from "@toolmesh/core";
import { logReady } from "./ready.js";

const url = process.env.TOOLMESH_NATS_URL;
const subject = process.env.TOOLMESH_BENCH_SUBJECT;
if (!url || !subject) {
  process.stderr.write("responder: set TOOLMESH_NATS_URL and TOOLMESH_BENCH_SUBJECT\n");
  process.exit(2);
}

const nc = await connect({ servers: url, name: "bench-responder" });
nc.subscribe(subject, {
  callback: (err, msg) => {
    if (!err) msg.respond(msg.data);
  },
});
// The subscription must be known to the server before the bench sends.
await nc.flush();
logReady({ subject });

onShutdown(createLogger("bench-responder", "warn"), async () => {
  await nc.drain().catch(() => undefined);
});
