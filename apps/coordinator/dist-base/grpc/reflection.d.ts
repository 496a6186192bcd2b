/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha) over the descriptor
 * files buf compiled at build time (@toolmesh/proto's descriptorSetFile):
 * toolmesh/v1/coordinator.proto, google/protobuf/struct.proto, the health proto
 * and the reflection protos, under their real names and with their
 * dependency lists, so strict clients (grpcio, grpcurl, @bufbuild/protobuf's
 * createFileRegistry) can link what they are given.
 *
 * @grpc/reflection serves whatever FileDescriptorProtos a package definition
 * carries (each entry's `fileDescriptorProtos`), re-encoding them byte for
 * byte; so it is handed those files directly, not a proto-loader load of the
 * .proto sources, whose descriptors protobufjs regroups by package (one
 * "toolmesh_v1.proto" without its imports, a Struct with a broken map entry).
 */
import type { Server } from "@grpc/grpc-js";
/** Services listed by reflection: what the coordinator's server serves. */
export declare const REFLECTED_SERVICES: readonly ["toolmesh.v1.Coordinator", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
export declare function addReflection(server: Server, files?: Buffer[]): void;
