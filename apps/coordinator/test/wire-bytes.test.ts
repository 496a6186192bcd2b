import { CoordinatorService, TaskSpec, WorkflowSpec, type SubmitWorkflowRequest } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { firstFieldWireBytes, tolerantDecoding } from "../src/grpc/decoding.js";

const { requestSerialize } = CoordinatorService.submitWorkflow;
const decodeSubmit = tolerantDecoding(CoordinatorService).submitWorkflow.requestDeserialize;

function specOf(tasks: number, argBytes: number): WorkflowSpec {
  return WorkflowSpec.fromPartial({
    name: "sized",
    tasks: Array.from({ length: tasks }, (_, i) =>
      TaskSpec.fromPartial({ id: `t${i}`, tool: "test.echo", args: { value: "x".repeat(argBytes) } }),
    ),
  });
}

describe("a spec's size from the wire", () => {
  it("is the size the spec encodes to, for lengths of every varint width", () => {
    // 1-, 2-, 3- and 4-byte lengths: a few bytes, hundreds, tens of thousands, a few megabytes.
    for (const spec of [WorkflowSpec.fromPartial({ name: "x" }), specOf(3, 20), specOf(400, 40), specOf(3, 1_100_000)]) {
      const request = decodeSubmit(requestSerialize({ spec }));
      expect(firstFieldWireBytes(request)).toBe(WorkflowSpec.encode(spec).finish().length);
    }
  });

  it("is unknown for a request that did not come through the decoder", () => {
    expect(firstFieldWireBytes({ spec: specOf(1, 1) } satisfies SubmitWorkflowRequest)).toBeUndefined();
  });
});
