import { systemTool } from "@toolmesh/testing";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { repoRoot } from "./stack.js";

/** Debian's Chromium, which Playwright drives (playwright-core downloads no browser). */
export const CHROMIUM = process.env.TOOLMESH_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumTool = systemTool(CHROMIUM, { package: "chromium", purpose: "the console's browser tests" });

/** Where browser tests leave their screenshots (git-ignored; CI keeps them as artefacts). */
export const artifactsDir = join(repoRoot, "test-artifacts");

export async function launchChromium(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  // As root Chromium needs --no-sandbox, which playwright-core passes unless chromiumSandbox is set.
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}
