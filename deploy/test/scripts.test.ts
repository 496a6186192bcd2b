import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helmBinary, ofKind, parseManifests, repoRoot, run } from "./helpers/helm.js";

const deploySh = join(repoRoot, "deploy/scripts/deploy.sh");
const monitorSh = join(repoRoot, "deploy/scripts/monitor.sh");

function deploy(args: string[]) {
  return run("bash", [deploySh, ...args], { HELM: helmBinary() });
}

describe("the scripts are strict bash", () => {
  for (const script of [deploySh, monitorSh]) {
    test(`${script.split("/").pop()}: bash -n clean, set -euo pipefail`, async () => {
      const result = await run("bash", ["-n", script]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const { readFileSync } = await import("node:fs");
      expect(readFileSync(script, "utf8")).toMatch(/^set -euo pipefail$/m);
    });
  }
});

describe("deploy.sh", () => {
  test("--dry-run renders with helm template and the autoscaler cap set", async () => {
    const result = await deploy(["--max-instances", "5", "--namespace", "agents", "--release", "mesh", "--dry-run"]);
    expect(result.stderr).toContain("dry run");
    expect(result.code).toBe(0);
    const objects = parseManifests(result.stdout);
    const autoscaler = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "mesh-toolmesh-autoscaler")!;
    const env = autoscaler.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "TOOLMESH_MAX_INSTANCES", value: "5" });
    expect(env).toContainEqual({ name: "TOOLMESH_K8S_DEPLOYMENT_PREFIX", value: "mesh-toolmesh" });
    for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(5);
    const binding = objects.find((o) => o.kind === "RoleBinding")!;
    expect(binding.subjects[0].namespace).toBe("agents");
  });

  test("--values files and helm arguments after -- reach helm; the cap wins over a values file", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "toolmesh-deploy-")), "values.yaml");
    writeFileSync(file, "autoscaler:\n  maxInstances: 50\ncodebase:\n  poolLimit: 40\n");
    const result = await deploy(["--max-instances=2", "--values", file, "--dry-run", "--", "--set", "image.tag=9.9.9"]);
    expect(result.code).toBe(0);
    const objects = parseManifests(result.stdout);
    const codebase = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "toolmesh-codebase")!;
    expect(codebase.spec.template.spec.containers[0].env).toContainEqual({ name: "TOOLMESH_POOL_LIMIT", value: "40" });
    expect(codebase.spec.template.spec.containers[0].image).toBe("ghcr.io/toolmesh/codebase:9.9.9");
    const autoscaler = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "toolmesh-autoscaler")!;
    expect(autoscaler.spec.template.spec.containers[0].env).toContainEqual({ name: "TOOLMESH_MAX_INSTANCES", value: "2" });
  });

  const rejections: Array<[string, string[], RegExp]> = [
    ["a missing --max-instances", ["--dry-run"], /--max-instances N is required/],
    ["--max-instances without a value", ["--max-instances", "--dry-run"], /--max-instances needs a value/],
    [
      "a non-numeric --max-instances",
      ["--max-instances", "lots", "--dry-run"],
      /--max-instances must be a whole number from 1 to 9999, got 'lots'/,
    ],
    ["--max-instances 0", ["--max-instances", "0", "--dry-run"], /--max-instances must be a whole number/],
    ["a negative --max-instances", ["--max-instances=-3", "--dry-run"], /--max-instances must be a whole number/],
    ["a bad namespace", ["--max-instances", "3", "--namespace", "Bad_NS", "--dry-run"], /--namespace 'Bad_NS' is not a valid namespace/],
    [
      "a missing values file",
      ["--max-instances", "3", "--values", "/nonexistent.yaml", "--dry-run"],
      /--values \/nonexistent.yaml: no such file/,
    ],
    ["an unknown flag", ["--max-instances", "3", "--wat"], /unknown argument: --wat/],
  ];
  for (const [what, args, message] of rejections) {
    test(`rejects ${what} with a clear message and exit code 2`, async () => {
      const result = await deploy(args);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain("Usage: deploy.sh --max-instances N");
      expect(result.stdout).toBe("");
      expect(result.code).toBe(2);
    });
  }

  test("says so when helm is missing", async () => {
    const result = await run("bash", [deploySh, "--max-instances", "3", "--dry-run"], { HELM: "/nonexistent/helm" });
    expect(result.stderr).toMatch(/helm not found/);
    expect(result.code).toBe(2);
  });
});

describe("monitor.sh", () => {
  // An Alertmanager stand-in serving the documented GET /api/v2/alerts JSON.
  let server: Server;
  let url: string;
  let alerts: unknown[] = [];
  let lastQuery = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith("/api/v2/alerts")) {
        lastQuery = req.url;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(alerts));
      } else if (req.url === "/api/v1/alerts") {
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            status: "success",
            data: {
              alerts: [
                {
                  labels: { alertname: "ToolmeshHighCpu", severity: "warning", pod: "p1" },
                  annotations: {},
                  state: "firing",
                  activeAt: "2026-11-28T09:00:00Z",
                },
              ],
            },
          }),
        );
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const alert = (name: string, labels: Record<string, string>, summary: string) => ({
    labels: { alertname: name, severity: "critical", ...labels },
    annotations: { summary },
    startsAt: "2026-11-28T09:00:00Z",
    endsAt: "2026-11-28T10:00:00Z",
    fingerprint: name + JSON.stringify(labels),
    status: { state: "active", silencedBy: [], inhibitedBy: [] },
    receivers: [{ name: "default" }],
    updatedAt: "2026-11-28T09:00:00Z",
  });

  const firing = () => [
    alert("ToolmeshQueueGrowingNoReplicas", { pool: "bash" }, "Tasks are queued for the bash pool"),
    alert("ToolmeshCoordinatorNotServing", {}, "No coordinator"),
  ];

  test("--once prints the firing alerts and exits 1", async () => {
    alerts = firing();
    const result = await run("bash", [monitorSh, "--url", `${url}/`, "--once"]);
    expect(result.stdout).toMatch(/FIRING +ToolmeshQueueGrowingNoReplicas \[critical\] pool=bash — Tasks are queued for the bash pool/);
    expect(result.stdout).toMatch(/FIRING +ToolmeshCoordinatorNotServing/);
    expect(lastQuery).toBe("/api/v2/alerts?active=true&silenced=false&inhibited=false");
    expect(result.code).toBe(1);
  });

  test("--match filters by label; none firing exits 0", async () => {
    alerts = firing();
    const matched = await run("bash", [monitorSh, "--url", url, "--once", "--match", "pool=bash"]);
    expect(matched.stdout).toContain("ToolmeshQueueGrowingNoReplicas");
    expect(matched.stdout).not.toContain("ToolmeshCoordinatorNotServing");
    alerts = [];
    const none = await run("bash", [monitorSh, "--url", url, "--once"]);
    expect(none.stdout).toContain("no alerts firing");
    expect(none.code).toBe(0);
  });

  test("--prometheus reads /api/v1/alerts", async () => {
    const result = await run("bash", [monitorSh, "--url", url, "--prometheus", "--once"]);
    expect(result.stdout).toMatch(/FIRING +ToolmeshHighCpu \[warning\] pod=p1/);
  });

  test("rejects a missing --url and a bad --interval", async () => {
    const noUrl = await run("bash", [monitorSh, "--once"]);
    expect(noUrl.stderr).toMatch(/--url is required/);
    expect(noUrl.code).toBe(2);
    const badInterval = await run("bash", [monitorSh, "--url", url, "--interval", "0"]);
    expect(badInterval.stderr).toMatch(/--interval must be a whole number of seconds/);
    expect(badInterval.code).toBe(2);
  });
});
