import type { JetStreamClient } from "@nats-io/jetstream";
import { type EventMessage } from "@toolmesh/core";
export interface SequencedEvent {
    sequence: number;
    event: EventMessage;
}
/**
 * Replays a workflow's events from the TM_EVENTS stream and follows new ones
 * (an ordered consumer filtered to tm.evt.<id>.>), ending after the terminal
 * workflow event or when `signal` aborts.
 */
export declare function watchEvents(js: JetStreamClient, workflowId: string, signal: AbortSignal): AsyncGenerator<SequencedEvent>;
