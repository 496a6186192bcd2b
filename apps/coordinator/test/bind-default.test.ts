import { describe, expect, it } from "vitest";
import { coordinatorConfigSchema, insecureBindWarning, isLoopbackHost } from "../src/config.js";

describe("gRPC bind default", () => {
  it("is loopback unless TOOLMESH_GRPC_HOST says otherwise", () => {
    expect(coordinatorConfigSchema.parse({ TOOLMESH_NATS_URL: "nats://127.0.0.1:4222" }).TOOLMESH_GRPC_HOST).toBe("127.0.0.1");
  });

  it("warns, naming the risk, when a non-loopback address has no token", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "example.com"]) expect(isLoopbackHost(host), host).toBe(false);
    expect(insecureBindWarning({ TOOLMESH_GRPC_HOST: "127.0.0.1", TOOLMESH_GRPC_TOKEN: undefined })).toBeUndefined();
    expect(insecureBindWarning({ TOOLMESH_GRPC_HOST: "0.0.0.0", TOOLMESH_GRPC_TOKEN: "x".repeat(16) })).toBeUndefined();
    expect(insecureBindWarning({ TOOLMESH_GRPC_HOST: "0.0.0.0", TOOLMESH_GRPC_TOKEN: undefined })).toMatch(
      /gRPC listens on 0\.0\.0\.0, reachable from other machines, without TOOLMESH_GRPC_TOKEN: anyone who reaches the port can submit workflows and run every tool/,
    );
  });
});
