import type { ToolmeshClient } from "@toolmesh/client";
import { WorkflowState, type Workflow, type WorkflowSpec } from "@toolmesh/proto";
import type { TlsFlags } from "../connection-flags.js";
import { clientFrom, describeGrpcError, resolveConnection } from "../connection.js";
import { jsonText, workflowJson } from "../json-output.js";
import { ProgressView } from "../progress.js";
import { formatWorkflowResult } from "../summary.js";
import { WorkflowFileError, readWorkflowFile } from "../workflow-file.js";

/** Submits a spec, shows live progress on stderr, returns the finished workflow. */
export async function runWithProgress(client: ToolmeshClient, spec: WorkflowSpec): Promise<Workflow> {
  return watchWithProgress(client, await client.submit(spec));
}

/** Shows a running workflow's live progress on stderr; returns it once finished. */
export async function watchWithProgress(client: ToolmeshClient, id: string): Promise<Workflow> {
  const progress = new ProgressView();
  const abort = new AbortController();
  // Ctrl-C while watching cancels the workflow rather than orphaning it.
  const onInterrupt = (): void => {
    void client.cancel(id, "interrupted from the CLI").finally(() => abort.abort());
  };
  process.once("SIGINT", onInterrupt);
  try {
    for await (const event of client.watch(id, abort.signal)) progress.onEvent(event);
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    process.off("SIGINT", onInterrupt);
    progress.finish();
  }
  return client.get(id);
}

export interface RunOptions {
  file: string;
  address?: string | undefined;
  tls?: TlsFlags | undefined;
  json: boolean;
}

/** `toolmesh run FILE`: live progress on stderr, the result on stdout. */
export async function runCommand(options: RunOptions): Promise<number> {
  const connection = resolveConnection({ address: options.address, tls: options.tls });
  const client = clientFrom(connection);
  try {
    const spec = await readWorkflowFile(options.file);
    const wf = await runWithProgress(client, spec);
    process.stdout.write(options.json ? jsonText(workflowJson(wf)) : `${formatWorkflowResult(wf)}\n`);
    return wf.state === WorkflowState.WORKFLOW_STATE_SUCCEEDED ? 0 : 1;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof WorkflowFileError ? err.message : describeGrpcError(err, { connection, client })}\n`);
    return err instanceof WorkflowFileError ? 2 : 1;
  } finally {
    client.close();
  }
}
