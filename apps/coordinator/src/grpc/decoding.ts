import { BinaryReader } from "@bufbuild/protobuf/wire";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { InvalidSpecError } from "@toolmesh/spec";

/**
 * Request decoding the handlers can answer for. grpc-js answers a request
 * its deserializer throws on with INTERNAL before any handler runs, and the
 * protobuf reader turns invalid UTF-8 into U+FFFD without a word. Here an
 * undecodable request becomes a marker the handler turns into
 * INVALID_ARGUMENT, and each invalid UTF-8 sequence a lone surrogate, which
 * `checkDecoded` finds and names by its path.
 */

const UNDECODABLE = Symbol("undecodable");
interface Undecodable {
  [UNDECODABLE]: string;
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Set while a request is decoded when one of its strings was not valid UTF-8. */
let invalidUtf8Seen = false;

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    invalidUtf8Seen = true;
    return lenient.decode(bytes).replaceAll("\uFFFD", "\uDFFF");
  }
}

/** Requests decoded here that held invalid UTF-8: only those need checkDecoded's walk. */
const withInvalidUtf8 = new WeakSet<object>();

/** Each decoded request's size on the wire: a limit on a spec's bytes needs no second encoding to check. */
const wireBytes = new WeakMap<object, number>();

/**
 * The bytes of a request's length-delimited field 1 (SubmitWorkflowRequest's
 * spec) as it came: the request's size less the field's tag and length.
 */
export function firstFieldWireBytes(request: object): number | undefined {
  const total = wireBytes.get(request);
  if (total === undefined) return undefined;
  // 1 byte of tag, then the length as a varint of 1–5 bytes: the one that adds up.
  for (let lengthBytes = 1; lengthBytes <= 5; lengthBytes += 1) {
    const field = total - 1 - lengthBytes;
    if (field >= 0 && varintBytes(field) === lengthBytes) return field;
  }
  return undefined;
}

const varintBytes = (n: number): number => (n < 1 << 7 ? 1 : n < 1 << 14 ? 2 : n < 1 << 21 ? 3 : n < 1 << 28 ? 4 : 5);

/** The service definition with request deserializers that never throw and keep invalid UTF-8 visible. */
export function tolerantDecoding<T extends ServiceDefinition>(definition: T): T {
  const methods = Object.entries(definition).map(([name, method]) => {
    const decode = method.requestDeserialize;
    const requestDeserialize = (value: Buffer): unknown => {
      try {
        // ts-proto's decode takes a reader as well as bytes: this one decodes strings as above.
        invalidUtf8Seen = false;
        const request = decode(new BinaryReader(value, decodeUtf8) as unknown as Buffer) as unknown;
        if (typeof request === "object" && request !== null) {
          wireBytes.set(request, value.length);
          if (invalidUtf8Seen) withInvalidUtf8.add(request);
        }
        return request;
      } catch (err) {
        return { [UNDECODABLE]: err instanceof Error ? err.message : String(err) } satisfies Undecodable;
      }
    };
    return [name, { ...method, requestDeserialize }];
  });
  return Object.fromEntries(methods) as T;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function loneSurrogateAt(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? path : undefined;
  if (depth > 64 || typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = loneSurrogateAt(item, `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyPath = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path ? `${path}.` : ""}${key}` : `${path}[${JSON.stringify(key)}]`;
    if (LONE_SURROGATE.test(key)) return keyPath;
    const found = loneSurrogateAt(item, keyPath, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Why `request` could not be decoded, or undefined when it was. */
export function undecodableReason(request: unknown): string | undefined {
  return typeof request === "object" && request !== null && UNDECODABLE in request ? (request as Undecodable)[UNDECODABLE] : undefined;
}

/** Whether `request` came through tolerantDecoding with every string valid UTF-8 (checkDecoded has nothing to find). */
export function decodedCleanly(request: object): boolean {
  return wireBytes.has(request) && !withInvalidUtf8.has(request);
}

/** Throws INVALID_ARGUMENT (InvalidSpecError) for an undecodable request or one holding invalid UTF-8, naming where. */
export function checkDecoded(request: unknown, message: string): void {
  const undecodable = undecodableReason(request);
  if (undecodable !== undefined) throw new InvalidSpecError(`the request is not a valid ${message} message: ${undecodable}`);
  // Decoded here and all valid: no string can hold a lone surrogate (a request from elsewhere is walked).
  if (typeof request === "object" && request !== null && decodedCleanly(request)) return;
  const path = loneSurrogateAt(request, "");
  if (path !== undefined) throw new InvalidSpecError(`${path || "the request"} is not valid UTF-8`);
}
