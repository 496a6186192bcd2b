import { status } from "@grpc/grpc-js";
import { timingSafeEqual } from "node:crypto";
import { serviceError } from "./status.js";
/** Checks `authorization: Bearer <token>` when the coordinator requires a token. */
export function checkToken(expected, metadata) {
    if (!expected)
        return;
    const header = String(metadata.get("authorization")[0] ?? "");
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
        throw serviceError(status.UNAUTHENTICATED, "missing or wrong bearer token: send metadata 'authorization: Bearer <TOOLMESH_GRPC_TOKEN>'");
    }
}
//# sourceMappingURL=auth.js.map