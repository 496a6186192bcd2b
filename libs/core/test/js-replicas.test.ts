import { describe, expect, test } from "vitest";
import { ConfigError, baseConfigSchema, jetStreamReplicas, loadConfig } from "../src/index.js";

// TOOLMESH_JS_REPLICAS is validated where every service validates its config
// (baseConfigSchema, at start-up) and read with the same rule where streams are
// made. deploy/test/nats-cluster-server.test.ts creates them in a real cluster.

describe("TOOLMESH_JS_REPLICAS", () => {
  test("1 when unset (one server's copy), the number when set", () => {
    expect(jetStreamReplicas({})).toBe(1);
    expect(jetStreamReplicas({ TOOLMESH_JS_REPLICAS: "3" })).toBe(3);
    expect(loadConfig("test", baseConfigSchema, {}).TOOLMESH_JS_REPLICAS).toBe(1);
    expect(loadConfig("test", baseConfigSchema, { TOOLMESH_JS_REPLICAS: "5" }).TOOLMESH_JS_REPLICAS).toBe(5);
  });

  test.each(["0", "6", "2.5", "three", ""])("%j is refused at start-up, naming the variable", (value) => {
    expect(() => loadConfig("codebase", baseConfigSchema, { TOOLMESH_JS_REPLICAS: value })).toThrow(/TOOLMESH_JS_REPLICAS/);
    expect(() => jetStreamReplicas({ TOOLMESH_JS_REPLICAS: value })).toThrow(ConfigError);
  });
});
