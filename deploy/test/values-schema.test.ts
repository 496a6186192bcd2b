import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { chartDir, template } from "./helpers/helm.js";

// values.schema.json is closed: a misspelt key anywhere in the chart's own
// values fails `helm template`/`install` with the key's path, instead of
// rendering as if it were not there. helm checks the vendored NATS's values
// against charts/nats/values.schema.json too.

const schema = JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8"));

describe("unknown keys are refused with their path", () => {
  test.each([
    [{ "codebse.replicas": 3 }, /at '': additional properties 'codebse' not allowed/],
    [{ "codebase.replicsa": 3 }, /at '\/codebase': additional properties 'replicsa' not allowed/],
    [{ "coordinator.autoscaling.minReplica": 3 }, /at '\/coordinator\/autoscaling': additional properties 'minReplica' not allowed/],
    [{ "webSearch.autoscaling.behavior.scaleDown.stabilisationWindowSeconds": 60 }, /additional properties 'stabilisationWindowSeconds'/],
    [{ "config.logLevle": "debug" }, /at '\/config': additional properties 'logLevle' not allowed/],
    [{ "secrets.keys.grpcTokn": "t" }, /at '\/secrets\/keys': additional properties 'grpcTokn' not allowed/],
    [{ "networkPolicy.enable": false }, /at '\/networkPolicy': additional properties 'enable' not allowed/],
    [{ "metrics.serviceMonitor.enable": true }, /at '\/metrics\/serviceMonitor': additional properties 'enable' not allowed/],
    [{ "bash.sandbox.mod": "none" }, /at '\/bash\/sandbox': additional properties 'mod' not allowed/],
    [{ "agent.serviceAccount.create_": true }, /at '\/agent\/serviceAccount': additional properties 'create_' not allowed/],
    [{ "nats.clustr.enabled": true }, /at '\/nats': additional properties 'clustr' not allowed/],
    // A key of the vendored chart, checked by its own schema.
    [{ "nats.exporter.prot": 7777 }, /nats:\s*\n- at '\/exporter': additional properties 'prot' not allowed/],
  ])("%j", async (sets, message) => {
    await expect(template(sets)).rejects.toThrow(message);
  });

  test("in an MCP pool's entry too", async () => {
    await expect(template({}, ["--set-json", 'mcpPools={"fs":{"command":"npx","podLabel":{"a":"b"}}}'])).rejects.toThrow(
      /at '\/mcpPools\/fs': additional properties 'podLabel' not allowed/,
    );
  });
});

describe("values of the new knobs are typed", () => {
  test.each([
    [{ "codebase.image.digest": "sha256:abc" }, /\/codebase\/image\/digest/],
    [{ "coordinator.podLabels.team": 1 }, /\/coordinator\/podLabels\/team': got number, want string/],
    [{ "config.jsReplicas": 0 }, /\/config\/jsReplicas': minimum/],
    [{ "config.jsReplicas": 7 }, /\/config\/jsReplicas': maximum/],
    [{ "nats.cluster.replicas": 2 }, /\/cluster\/replicas': minimum: got 2, want 3/],
    [{ "autoscalingBehavior.scaleDown.selectPolicy": "Sometimes" }, /\/autoscalingBehavior\/scaleDown\/selectPolicy/],
  ])("%j", async (sets, message) => {
    await expect(template(sets)).rejects.toThrow(message);
  });

  test("every key the README names as a service's renders (the default values pass the schema)", async () => {
    const objects = await template({
      "codebase.podLabels.team": "tools",
      "codebase.priorityClassName": "high",
      "codebase.image.digest": `sha256:${"a".repeat(64)}`,
      "codebase.serviceAccount.annotations.iam": "role",
      "global.imageRegistry": "mirror.example",
    });
    expect(objects.length).toBeGreaterThan(20);
  });
});

describe("the schema's own consistency", () => {
  // A service block allows the shared keys by name (patternProperties) so that
  // an unknown one gets the plain "additional properties" message; the names
  // must be exactly the keys $defs/workload (or $defs/podKeys) types.
  const keysOf = (pattern: string): string[] =>
    pattern
      .replace(/^\^\(|\)\$$/g, "")
      .split("|")
      .sort();
  const podKeys = Object.keys(schema.$defs.podKeys.properties);
  const workloadKeys = [...podKeys, ...Object.keys(schema.$defs.workload.properties)].sort();

  test.each(["coordinator", "webSearch", "codebase", "bash", "agent", "mcpGateway", "autoscaler"])(
    "%s names every workload key",
    (service) => {
      const block = schema.properties[service];
      expect(block.additionalProperties).toBe(false);
      expect(keysOf(Object.keys(block.patternProperties)[0]!)).toEqual(workloadKeys);
    },
  );

  test("an MCP pool names every pod key", () => {
    expect(keysOf(Object.keys(schema.$defs.mcpPool.patternProperties)[0]!)).toEqual([...podKeys].sort());
  });

  test("every object with properties of the chart's own is closed", () => {
    const open: string[] = [];
    const walk = (node: any, path: string): void => {
      if (!node || typeof node !== "object") return;
      const own = path.startsWith("/$defs/podKeys") || path.startsWith("/$defs/workload") || path === "/properties/global";
      if (node.properties && node.additionalProperties !== false && !own) open.push(path);
      for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
    };
    walk(schema, "");
    expect(open).toEqual([]);
  });
});
