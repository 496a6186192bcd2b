/** A process whose CPU and memory the bench reads; pid undefined when it cannot be found. */
export interface ProcessRef {
  label: string;
  pid: number | undefined;
  /** Why pid is undefined (Redis in another pid namespace, say). */
  why?: string;
}

/** One system under test, started once and kept running through every round. */
export interface BenchSystem {
  /** Short stable key ("toolmesh-stream"), used for pairing rounds and ratios. */
  key: string;
  /** Row name in the table. */
  name: string;
  /** This system's own server-side processes (not the bench client, nats-server or Redis). */
  processes: ProcessRef[];
  /** The shared servers it works through. */
  uses: Array<"nats" | "redis">;
  /** One request/response round trip; `index` is unique over the whole run of this system. */
  call(index: number): Promise<void>;
  close(): Promise<void>;
  /** Messages written so far to the JetStream streams it uses, by stream (last sequence), read before and after each window. */
  streamWrites?(): Promise<Record<string, number | undefined>>;
  /** A line about how it ran, for the notes under the table (BullMQ addBulk: jobs per batch). */
  describe?(): string | undefined;
}
