import type { TlsFlags } from "../connection-flags.js";
import { clientFrom, describeGrpcError, resolveConnection } from "../connection.js";

export interface CallOptions {
  tool: string;
  args: string;
  address?: string | undefined;
  tls?: TlsFlags | undefined;
  timeoutMs?: number | undefined;
}

/** `toolmesh call TOOL --args JSON`: one tool call; its output as JSON on stdout. */
export async function callCommand(options: CallOptions): Promise<number> {
  let args: unknown;
  try {
    args = JSON.parse(options.args);
  } catch (err) {
    process.stderr.write(`error: --args is not valid JSON: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    process.stderr.write('error: --args must be a JSON object, e.g. \'{"pattern":"TODO"}\'\n');
    return 2;
  }
  const connection = resolveConnection({ address: options.address, tls: options.tls });
  const client = clientFrom(connection);
  try {
    const result = await client.call({ tool: options.tool, args, timeoutMs: options.timeoutMs ?? 0 });
    process.stdout.write(`${JSON.stringify(result.output ?? {}, null, 2)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${describeGrpcError(err, { connection, client })}\n`);
    return 1;
  } finally {
    client.close();
  }
}
