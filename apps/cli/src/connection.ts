import { status } from "@grpc/grpc-js";
import { ToolmeshClient } from "@toolmesh/client";

/** Where the CLI finds the coordinator: --address, TOOLMESH_ADDRESS, or the `up` default. */
export function clientFrom(address: string | undefined): ToolmeshClient {
  return new ToolmeshClient(address ?? process.env.TOOLMESH_ADDRESS ?? "127.0.0.1:50051", {
    token: process.env.TOOLMESH_GRPC_TOKEN,
  });
}

/** One line for a failed gRPC call, e.g. "PERMISSION_DENIED: path escapes the root". */
export function describeGrpcError(err: unknown): string {
  if (typeof err === "object" && err !== null && "code" in err && "details" in err) {
    const code = Number(err.code);
    const hint = code === 14 ? " (is the stack up? run `npx toolmesh up`, or set TOOLMESH_ADDRESS)" : "";
    return `${status[code] ?? code}: ${String(err.details)}${hint}`;
  }
  return err instanceof Error ? err.message : String(err);
}
