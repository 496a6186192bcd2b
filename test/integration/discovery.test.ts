import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack.js";

// What grpcurl does: discover the API through server reflection and probe
// gRPC health, with protos of the standard services, not toolmesh's own code.
const require = createRequire(import.meta.url);
const reflectionProto = join(dirname(require.resolve("@grpc/reflection")), "../proto/grpc/reflection/v1/reflection.proto");
const healthProto = join(dirname(require.resolve("grpc-health-check/package.json")), "proto/health/v1/health.proto");

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

function clientOf(protoFile: string, path: string[]): InstanceType<ServiceClientConstructor> {
  let node = loadPackageDefinition(loadSync(protoFile, { enums: String }));
  for (const part of path.slice(0, -1)) node = node[part] as GrpcObject;
  const Ctor = node[path.at(-1)!] as ServiceClientConstructor;
  return new Ctor(`127.0.0.1:${stack.coordinator.port}`, credentials.createInsecure());
}

it("server reflection lists the Coordinator and describes its file", async () => {
  const client = clientOf(reflectionProto, ["grpc", "reflection", "v1", "ServerReflection"]);
  const call = client.ServerReflectionInfo();
  const responses: Array<Record<string, unknown>> = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on("data", (r: Record<string, unknown>) => {
      responses.push(r);
      if (responses.length === 2) call.end();
    });
    call.on("end", resolve);
    call.on("error", reject);
  });
  call.write({ listServices: "*" });
  call.write({ fileContainingSymbol: "toolmesh.v1.Coordinator" });
  await done;
  client.close();
  const services = (responses[0]?.listServicesResponse as { service: Array<{ name: string }> }).service.map((s) => s.name);
  expect(services).toContain("toolmesh.v1.Coordinator");
  const files = (responses[1]?.fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto;
  expect(Buffer.concat(files).toString("latin1")).toContain("SubmitWorkflow");
});

it("gRPC health reports SERVING for the server and the Coordinator service", async () => {
  const client = clientOf(healthProto, ["grpc", "health", "v1", "Health"]);
  for (const service of ["", "toolmesh.v1.Coordinator"]) {
    const reply = await new Promise<{ status: string }>((resolve, reject) =>
      client.Check({ service }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))),
    );
    expect(reply.status).toBe("SERVING");
  }
  client.close();
});
