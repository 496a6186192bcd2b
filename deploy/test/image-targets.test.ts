import { describe, expect, test } from "vitest";
import { SERVICES } from "../scripts/image-deps.mjs";
import { Dockerfile } from "./helpers/dockerfile.js";
import { type K8sObject, template } from "./helpers/helm.js";

// The chart's images are `<image.registry>/<image.repository>/<service>:<tag>`, each built with
// `--target <service>`: every image the chart renders must name a Dockerfile
// target, and every target must be used by the chart.

const REGISTRY = "registry.example";
const REPOSITORY = `${REGISTRY}/tm`;
const dockerfile = Dockerfile.read();

/** Every container image of every pod template (and pod) in the render. */
function images(objects: K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const spec = o.kind === "Pod" ? o.spec : o.spec?.template?.spec;
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c: { image: string }) => c.image);
  });
}

describe("the chart's images and the Dockerfile's targets", () => {
  test("every toolmesh image the chart renders is a Dockerfile target, and every target is rendered", async () => {
    const objects = await template({ "image.registry": REGISTRY, "image.repository": "tm", "image.tag": "1.2.3" }, [
      "--set-json",
      'mcpPools={"fs":{"command":"npx"}}',
    ]);
    const ours = images(objects).filter((image) => image.startsWith(`${REPOSITORY}/`));
    const targets = ours.map((image) => {
      const match = new RegExp(`^${REPOSITORY}/([a-z0-9-]+):1\\.2\\.3$`).exec(image);
      expect(match, image).not.toBeNull();
      return match![1]!;
    });
    for (const target of new Set(targets)) expect(dockerfile.stage(target), `no Dockerfile target ${target}`).toBeDefined();
    expect([...new Set(targets)].sort()).toEqual([...SERVICES].sort());
  });
});
