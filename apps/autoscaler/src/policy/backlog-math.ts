/**
 * The replicas that clear a pool's backlog within the target time: work in
 * the queue (tasks × measured duration) spread over the target, plus what
 * runs now, divided by what one replica runs at once (Little's law, rounded up).
 *
 *   replicas = ceil((backlog × durationS / targetS + inFlight) / perReplicaLimit)
 */
export interface BacklogInput {
  /** num_pending + num_ack_pending of the pool's consumer. */
  pending: number;
  ackPending: number;
  inFlight: number;
  durationMs: number;
  targetDrainS: number;
  perReplicaLimit: number;
}

export interface LoadRecommendation {
  replicas: number;
  reason: string;
}

export function replicasForBacklog(input: BacklogInput): LoadRecommendation {
  const backlog = input.pending + input.ackPending;
  const durationS = input.durationMs / 1000;
  const concurrency = (backlog * durationS) / input.targetDrainS + input.inFlight;
  const perReplica = Math.max(1, input.perReplicaLimit);
  // A hair under an integer is float noise, not another replica.
  const replicas = Math.max(0, Math.ceil(concurrency / perReplica - 1e-9));
  const reason =
    `backlog ${backlog} (${input.pending} pending + ${input.ackPending} ack-pending) × ${durationS.toFixed(3)} s / ${input.targetDrainS} s` +
    ` + ${input.inFlight} in flight = ${concurrency.toFixed(1)} calls at once, ${perReplica.toFixed(1)} per replica → ${replicas}`;
  return { replicas, reason };
}
