import { BinaryReader } from "@bufbuild/protobuf/wire";
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
const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });
function decodeUtf8(bytes) {
    try {
        return fatal.decode(bytes);
    }
    catch {
        return lenient.decode(bytes).replaceAll("\uFFFD", "\uDFFF");
    }
}
/** The service definition with request deserializers that never throw and keep invalid UTF-8 visible. */
export function tolerantDecoding(definition) {
    const methods = Object.entries(definition).map(([name, method]) => {
        const decode = method.requestDeserialize;
        const requestDeserialize = (value) => {
            try {
                // ts-proto's decode takes a reader as well as bytes: this one decodes strings as above.
                return decode(new BinaryReader(value, decodeUtf8));
            }
            catch (err) {
                return { [UNDECODABLE]: err instanceof Error ? err.message : String(err) };
            }
        };
        return [name, { ...method, requestDeserialize }];
    });
    return Object.fromEntries(methods);
}
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
function loneSurrogateAt(value, path, depth = 0) {
    if (typeof value === "string")
        return LONE_SURROGATE.test(value) ? path : undefined;
    if (depth > 64 || typeof value !== "object" || value === null || ArrayBuffer.isView(value))
        return undefined;
    if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) {
            const found = loneSurrogateAt(item, `${path}[${index}]`, depth + 1);
            if (found)
                return found;
        }
        return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
        const keyPath = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path ? `${path}.` : ""}${key}` : `${path}[${JSON.stringify(key)}]`;
        if (LONE_SURROGATE.test(key))
            return keyPath;
        const found = loneSurrogateAt(item, keyPath, depth + 1);
        if (found)
            return found;
    }
    return undefined;
}
/** Throws INVALID_ARGUMENT (InvalidSpecError) for an undecodable request or one holding invalid UTF-8, naming where. */
export function checkDecoded(request, message) {
    if (typeof request === "object" && request !== null && UNDECODABLE in request) {
        throw new InvalidSpecError(`the request is not a valid ${message} message: ${request[UNDECODABLE]}`);
    }
    const path = loneSurrogateAt(request, "");
    if (path !== undefined)
        throw new InvalidSpecError(`${path || "the request"} is not valid UTF-8`);
}
//# sourceMappingURL=decoding.js.map