import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { headers, nuid, type NatsConnection } from "@nats-io/transport-node";
import { createHash } from "node:crypto";

/** The object store client's chunk size (nats.js `max_chunk_size` default). */
const CHUNK_BYTES = 128 * 1024;

/** Base64url with padding, as the object store names metadata subjects and digests. */
function base64UrlPadded(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("base64url");
  return text.padEnd(Math.ceil(text.length / 4) * 4, "=");
}

/**
 * Writes one object into a JetStream object store bucket in the store's own
 * format (chunks on `$O.<bucket>.C.<nuid>`, then the metadata on
 * `$O.<bucket>.M.<name>` as a subject roll-up), readable by nats.js's
 * `ObjectStore.get`. Unlike `ObjectStore.put` it reads nothing first: the
 * library's put looks up the old metadata by a stream message get, which a
 * NATS permission cannot narrow to one object, so a pool allowed it could
 * read every object in the bucket. Nothing purges the chunks of an object
 * written again under the same name; the bucket's max age removes them.
 */
export class ObjectWriter {
  readonly #js: JetStreamClient;
  readonly #nc: NatsConnection;
  readonly #bucket: string;

  constructor(nc: NatsConnection, bucket: string) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#bucket = bucket;
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    const chunkBytes = Math.min(CHUNK_BYTES, this.#nc.info?.max_payload ?? CHUNK_BYTES);
    const id = nuid.next();
    let chunks = 0;
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      await this.#js.publish(`$O.${this.#bucket}.C.${id}`, bytes.subarray(offset, offset + chunkBytes));
      chunks += 1;
    }
    const info = {
      name,
      description: "",
      options: { max_chunk_size: chunkBytes },
      bucket: this.#bucket,
      nuid: id,
      size: bytes.length,
      chunks,
      mtime: new Date().toISOString(),
      digest: `SHA-256=${base64UrlPadded(createHash("sha256").update(bytes).digest())}`,
      deleted: false,
    };
    const rollup = headers();
    rollup.set("Nats-Rollup", "sub");
    await this.#js.publish(`$O.${this.#bucket}.M.${base64UrlPadded(new TextEncoder().encode(name))}`, JSON.stringify(info), {
      headers: rollup,
    });
  }
}
