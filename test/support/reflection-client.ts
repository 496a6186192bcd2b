import { Client, Metadata, credentials, type ServiceError } from "@grpc/grpc-js";
import {
  createFileRegistry,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
  type DescMethod,
  type FileRegistry,
  type JsonValue,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/**
 * A gRPC server-reflection client that knows nothing of toolmesh: what a
 * generic tool (grpcurl, grpcio's reflection client) does. The reflection
 * messages are encoded by hand (their wire format is small and fixed; a client
 * has to start from something), everything else comes from what the server
 * sends back.
 */
export type ReflectionVersion = "v1" | "v1alpha";

interface ReflectionReply {
  files?: Buffer[];
  services?: string[];
  error?: { code: number; message: string };
}

// grpc.reflection.v1.ServerReflectionRequest: host = 1, file_by_filename = 3,
// file_containing_symbol = 4, list_services = 7 (v1alpha has the same numbers).
type ReflectionRequest = { fileByFilename: string } | { fileContainingSymbol: string } | { listServices: string };

function encodeRequest(request: ReflectionRequest): Buffer {
  const w = new BinaryWriter();
  if ("fileByFilename" in request) w.tag(3, WireType.LengthDelimited).string(request.fileByFilename);
  else if ("fileContainingSymbol" in request) w.tag(4, WireType.LengthDelimited).string(request.fileContainingSymbol);
  else w.tag(7, WireType.LengthDelimited).string(request.listServices);
  return Buffer.from(w.finish());
}

/** Reads the length-delimited fields numbered `wanted` of a message (others skipped). */
function fieldsOf(bytes: Uint8Array, wanted: number): Uint8Array[] {
  const r = new BinaryReader(bytes);
  const out: Uint8Array[] = [];
  while (r.pos < r.len) {
    const [no, type] = r.tag();
    if (no === wanted && type === WireType.LengthDelimited) out.push(r.bytes());
    else r.skip(type, no);
  }
  return out;
}

// ServerReflectionResponse: file_descriptor_response = 4 {repeated bytes file_descriptor_proto = 1},
// list_services_response = 6 {repeated ServiceResponse service = 1 {string name = 1}},
// error_response = 7 {int32 error_code = 1, string error_message = 2}.
function decodeResponse(bytes: Buffer): ReflectionReply {
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  const [files] = fieldsOf(bytes, 4);
  if (files) return { files: fieldsOf(files, 1).map((f) => Buffer.from(f)) };
  const [list] = fieldsOf(bytes, 6);
  if (list) return { services: fieldsOf(list, 1).map((s) => text(fieldsOf(s, 1)[0] ?? new Uint8Array())) };
  const [error] = fieldsOf(bytes, 7);
  if (!error) return {};
  const r = new BinaryReader(error);
  let code = 0;
  let message = "";
  while (r.pos < r.len) {
    const [no, type] = r.tag();
    if (no === 1) code = r.int32();
    else if (no === 2) message = r.string();
    else r.skip(type, no);
  }
  return { error: { code, message } };
}

export class ReflectionClient {
  readonly #client: Client;

  constructor(address: string) {
    this.#client = new Client(address, credentials.createInsecure());
  }

  close(): void {
    this.#client.close();
  }

  /** One request on its own ServerReflectionInfo stream. */
  ask(request: ReflectionRequest, version: ReflectionVersion = "v1"): Promise<ReflectionReply> {
    const call = this.#client.makeBidiStreamRequest<ReflectionRequest, ReflectionReply>(
      `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      encodeRequest,
      decodeResponse,
    );
    return new Promise((resolve, reject) => {
      call.once("data", (reply: ReflectionReply) => {
        resolve(reply);
        call.end();
      });
      call.once("error", reject);
      call.write(request);
    });
  }

  async listServices(version: ReflectionVersion = "v1"): Promise<string[]> {
    const reply = await this.ask({ listServices: "*" }, version);
    if (!reply.services) throw new Error(`list_services: ${JSON.stringify(reply.error)}`);
    return reply.services;
  }

  /**
   * Every file a client needs for `symbols`: each symbol's file, then each
   * dependency not yet had, by file_by_filename, as a client resolving imports does.
   */
  async descriptors(symbols: string[]): Promise<Map<string, FileDescriptorProto>> {
    const files = new Map<string, FileDescriptorProto>();
    const take = (reply: ReflectionReply, asked: string): void => {
      if (!reply.files) throw new Error(`${asked}: ${JSON.stringify(reply.error)}`);
      for (const bytes of reply.files) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        if (!files.has(file.name)) files.set(file.name, file);
      }
    };
    for (const symbol of symbols) take(await this.ask({ fileContainingSymbol: symbol }), symbol);
    for (let missing = this.#missing(files); missing.length; missing = this.#missing(files)) {
      for (const name of missing) take(await this.ask({ fileByFilename: name }), name);
    }
    return files;
  }

  #missing(files: Map<string, FileDescriptorProto>): string[] {
    return [...new Set([...files.values()].flatMap((f) => f.dependency))].filter((d) => !files.has(d));
  }
}

/**
 * A strict registry of the files: each linked with only its declared
 * dependencies (createFileRegistry throws on a dependency it cannot resolve,
 * a type it cannot find, an invalid map entry or a bad name).
 */
export function linkRegistry(files: Map<string, FileDescriptorProto>): FileRegistry {
  const registries = [...files.values()].map((file) => createFileRegistry(file, (name) => files.get(name)));
  return createFileRegistry(...registries);
}

/**
 * Calls a unary method with messages made from JSON by the method's own
 * (reflected) descriptors, sent as raw bytes; answers in proto3 JSON.
 */
export function callDynamic(
  address: string,
  method: DescMethod,
  request: JsonValue,
  registry: FileRegistry,
  metadata = new Metadata(),
): Promise<JsonValue> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise<JsonValue>((resolve, reject) => {
    client.makeUnaryRequest(
      `/${method.parent.typeName}/${method.name}`,
      (value: JsonValue) => Buffer.from(toBinary(method.input, fromJson(method.input, value, { registry }))),
      (bytes: Buffer) => toJson(method.output, fromBinary(method.output, bytes), { registry }),
      request,
      metadata,
      (err: ServiceError | null, res?: JsonValue) => (err ? reject(err) : resolve(res as JsonValue)),
    );
  }).finally(() => client.close());
}
