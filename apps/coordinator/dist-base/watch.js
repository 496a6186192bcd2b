import { Streams, Subjects, TERMINAL_WORKFLOW_EVENTS, decodeJson } from "@toolmesh/core";
/**
 * Replays a workflow's events from the TM_EVENTS stream and follows new ones
 * (an ordered consumer filtered to tm.evt.<id>.>), ending after the terminal
 * workflow event or when `signal` aborts.
 */
export async function* watchEvents(js, workflowId, signal) {
    const consumer = await js.consumers.get(Streams.events, { filter_subjects: Subjects.workflowEvents(workflowId) });
    const messages = await consumer.consume({ max_messages: 512 });
    const stop = () => void messages.close();
    signal.addEventListener("abort", stop, { once: true });
    try {
        for await (const msg of messages) {
            const event = decodeJson(msg.data);
            yield { sequence: msg.seq, event };
            // Sub-agents' workflows end inside this one's stream; only its own end ends the watch.
            if (TERMINAL_WORKFLOW_EVENTS.has(event.kind) && event.workflowId === workflowId)
                break;
        }
    }
    finally {
        signal.removeEventListener("abort", stop);
        await messages.close().catch(() => undefined);
    }
}
//# sourceMappingURL=watch.js.map