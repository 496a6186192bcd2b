import { ErrorCode as McpErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode } from "@toolmesh/core";
import { describe, expect, it } from "vitest";
import { catalogEntry, requestError, resultOutput, upstreamToolError } from "../src/index.js";

const text = (t: string, isError = true) => ({ content: [{ type: "text" as const, text: t }], isError });

describe("upstream results", () => {
  it("isError results become tool errors with the upstream's text, their code read from it", () => {
    expect(upstreamToolError(text("Error: ENOENT: no such file or directory, open '/d/x'"))).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      message: expect.stringContaining("ENOENT"),
    });
    expect(upstreamToolError(text("Access denied - path outside allowed directories: /etc not in /d")).code).toBe(
      ErrorCode.PERMISSION_DENIED,
    );
    expect(upstreamToolError(text("Invalid arguments for read_file: path: Required")).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(upstreamToolError(text("the repository is archived"))).toMatchObject({ code: ErrorCode.FAILED_PRECONDITION, retryable: false });
  });
  it("a closed connection is UNAVAILABLE (retryable); protocol errors keep their meaning", () => {
    expect(requestError(new McpError(McpErrorCode.ConnectionClosed, "Connection closed"))).toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      retryable: true,
    });
    expect(requestError(new McpError(McpErrorCode.InvalidParams, "bad")).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(requestError(new McpError(McpErrorCode.MethodNotFound, "no")).code).toBe(ErrorCode.NOT_FOUND);
    expect(requestError(new Error("write EPIPE")).code).toBe(ErrorCode.UNAVAILABLE);
  });
  it("outputs carry the text, the content when it is more than one text, and structuredContent", () => {
    expect(resultOutput(text("hi", false))).toEqual({ text: "hi" });
    const mixed = {
      content: [
        { type: "text" as const, text: "a" },
        { type: "image" as const, data: "AA==", mimeType: "image/png" },
      ],
      structuredContent: { n: 1 },
    };
    expect(resultOutput(mixed)).toEqual({ text: "a", content: mixed.content, structured: { n: 1 } });
  });
  it("catalog entries are <name>.<tool> with the upstream's schema; read-only tools are shareable", () => {
    const range = { toolPrefix: "fs", minLimit: 8, maxLimit: 32 };
    const entry = catalogEntry(
      "fs",
      "mcp-fs",
      range,
      { name: "read_file", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
      "i1",
    );
    expect(entry).toMatchObject({
      name: "fs.read_file",
      pool: "mcp-fs",
      upstreamTool: "read_file",
      shareable: true,
      destructive: false,
      openWorld: true,
    });
    expect(catalogEntry("fs", "mcp-fs", range, { name: "write file", inputSchema: { type: "object" } }, "i1")).toBeUndefined();
  });
});
