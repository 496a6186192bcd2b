import { finalReportTask } from "@toolmesh/client";
import { WorkflowState } from "@toolmesh/proto";
import { clientFrom, describeGrpcError, resolveConnection, type Connection } from "../connection.js";
import { jsonText, workflowJson } from "../json-output.js";
import { RenderModeError, formatReport, renderMode } from "../markdown.js";
import { formatWorkflowResult } from "../summary.js";
import { watchWithProgress } from "./run.js";

export interface TemplateCommandOptions {
  template: string;
  params: Record<string, unknown>;
  /** Where the coordinator is: `connection` (resolved by the caller) or `address`, else resolved here. */
  address?: string | undefined;
  connection?: Connection | undefined;
  json: boolean;
  priority?: number | undefined;
}

/**
 * `toolmesh explore-codebase | explore-web | think-layers | start`: runs the
 * template on the coordinator with live progress per pool and per stage on
 * stderr, then prints the report (rendered on a terminal, Markdown when
 * piped; or the whole workflow as JSON).
 */
export async function templateCommand(options: TemplateCommandOptions): Promise<number> {
  if (!options.json) {
    try {
      renderMode(process.stdout.isTTY); // a bad TOOLMESH_RENDER fails before the work, not after
    } catch (err) {
      if (!(err instanceof RenderModeError)) throw err;
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
  }
  const connection = options.connection ?? resolveConnection({ address: options.address });
  const client = clientFrom(connection);
  try {
    const id = await client.runTemplate({ template: options.template, params: options.params, priority: options.priority ?? 0 });
    const wf = await watchWithProgress(client, id);
    const reportTask = finalReportTask(wf);
    if (options.json) {
      const report = reportTask ? await client.taskOutput(wf.id, reportTask) : undefined;
      process.stdout.write(jsonText({ workflow: workflowJson(wf), report }));
    } else if (reportTask) {
      const report = await client.taskOutput(wf.id, reportTask);
      const text = typeof report.markdown === "string" ? formatReport(report.markdown, process.stdout) : JSON.stringify(report, null, 2);
      process.stdout.write(`${text}\n`);
    } else {
      process.stdout.write(`${formatWorkflowResult(wf)}\n`);
    }
    return wf.state === WorkflowState.WORKFLOW_STATE_SUCCEEDED ? 0 : 1;
  } catch (err) {
    process.stderr.write(`error: ${describeGrpcError(err, { connection, client })}\n`);
    return 1;
  } finally {
    client.close();
  }
}
