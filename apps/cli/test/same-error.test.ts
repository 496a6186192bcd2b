import { EventType, TaskState, Workflow, WorkflowEvent, WorkflowState } from "@toolmesh/proto";
import { describe, expect, it } from "vitest";
import { ProgressView } from "../src/progress.js";
import { formatWorkflowResult } from "../src/summary.js";

/** A stream that keeps what is written, as a non-terminal stderr. */
function captured(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = "";
  const stream = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe("the same failure from many tasks is said once", () => {
  it("progress: the first task's line has the error, later ones point at it; a different error gets its own line", () => {
    const out = captured();
    const view = new ProgressView(out.stream);
    const failed = (taskId: string, message: string): WorkflowEvent =>
      WorkflowEvent.fromPartial({
        type: EventType.EVENT_TYPE_TASK_FAILED,
        workflowId: "wf",
        taskId,
        tool: "code.glob",
        pool: "codebase",
        message,
      });
    view.onEvent(failed("globs[0]", 'PERMISSION_DENIED: "/x" is absolute'));
    view.onEvent(failed("globs[1]", 'PERMISSION_DENIED: "/x" is absolute'));
    view.onEvent(failed("greps", 'NOT_FOUND: no root named "y"'));
    const lines = out.text().trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/✗ globs\[0\] \(code\.glob\) PERMISSION_DENIED: "\/x" is absolute$/);
    expect(lines[1]).toMatch(/✗ globs\[1\] \(code\.glob\) same error as globs\[0\]$/);
    expect(lines[2]).toMatch(/✗ greps \(code\.glob\) NOT_FOUND/);
  });

  it("summary: one line for the tasks that failed alike, with how many", () => {
    const error = { code: "PERMISSION_DENIED", message: '"/x" is absolute' };
    const wf = Workflow.fromPartial({
      id: "wf",
      name: "t",
      state: WorkflowState.WORKFLOW_STATE_FAILED,
      tasks: [
        { id: "a", tool: "code.glob", state: TaskState.TASK_STATE_FAILED, error },
        { id: "b", tool: "code.glob", state: TaskState.TASK_STATE_FAILED, error },
        { id: "c", tool: "code.glob", state: TaskState.TASK_STATE_FAILED, error },
        { id: "d", tool: "code.read", state: TaskState.TASK_STATE_SUCCEEDED, output: { size: 3 } },
      ],
    });
    const text = formatWorkflowResult(wf);
    expect(text.match(/is absolute/g)).toHaveLength(1);
    expect(text).toMatch(/a and 2 more\s+code\.glob\s+failed\s+PERMISSION_DENIED/);
    expect(text).toMatch(/\n {2}d\s+code\.read\s+succeeded\s+size: 3/);
  });
});
