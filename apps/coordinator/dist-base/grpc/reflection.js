import { ReflectionService } from "@grpc/reflection";
import { fileDescriptorProtos } from "@toolmesh/proto";
/** Services listed by reflection: what the coordinator's server serves. */
export const REFLECTED_SERVICES = [
    "toolmesh.v1.Coordinator",
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];
export function addReflection(server, files = fileDescriptorProtos()) {
    const definition = { "toolmesh.descriptors": { fileDescriptorProtos: files } };
    new ReflectionService(definition, { services: [...REFLECTED_SERVICES] }).addToServer(server);
}
//# sourceMappingURL=reflection.js.map