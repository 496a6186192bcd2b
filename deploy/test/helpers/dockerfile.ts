import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./helm.js";

// deploy/docker/Dockerfile parsed into stages (no Docker engine here to build
// it): comments dropped, `\` continuations joined, global ARG defaults kept.

export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && current === "")) continue;
    if (line.endsWith("\\")) {
      current += line.slice(0, -1) + " ";
      continue;
    }
    logical.push((current + line).trim());
    current = "";
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const entry of logical.filter((l) => l !== "")) {
    const [, keyword = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(entry) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === "FROM") {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!match) throw new Error(`cannot parse FROM ${rest}`);
      stages.push({ from: match[1]!, name: match[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name, value = ""] = rest.split("=", 2);
      args.set(name!, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

export class Dockerfile {
  readonly args: Map<string, string>;
  readonly stages: Stage[];

  constructor(text: string) {
    ({ args: this.args, stages: this.stages } = parseDockerfile(text));
  }

  static read(path = join(repoRoot, "deploy/docker/Dockerfile")): Dockerfile {
    return new Dockerfile(readFileSync(path, "utf8"));
  }

  stage(name: string): Stage | undefined {
    return this.stages.find((s) => s.name === name);
  }

  /** The stage and its ancestors (FROM <stage>), nearest first. */
  lineage(name: string): Stage[] {
    const chain: Stage[] = [];
    for (let s = this.stage(name); s; s = this.stage(s.from)) chain.push(s);
    return chain;
  }

  /** The base image a stage finally builds on, with ARG defaults substituted. */
  baseImage(name: string): string {
    const root = this.lineage(name).at(-1)!;
    return root.from.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => this.args.get(a ?? b ?? "") ?? "");
  }

  /** The arguments of a stage's instructions of one kind, in order (ancestors' not included). */
  own(name: string, keyword: string): string[] {
    return (this.stage(name)?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);
  }

  /** The last instruction of a kind in the stage or its nearest ancestor that has one. */
  last(name: string, keyword: string): string | undefined {
    for (const s of this.lineage(name)) {
      const found = s.instructions.filter((i) => i.keyword === keyword).at(-1);
      if (found) return found.args;
    }
    return undefined;
  }

  /** Every RUN of the stage and its ancestors. */
  runs(name: string): string {
    return this.lineage(name)
      .flatMap((s) => s.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args))
      .join("\n");
  }

  /** Labels the image of a stage carries (its own LABELs over its ancestors'), quotes removed. */
  labels(name: string): Map<string, string> {
    const labels = new Map<string, string>();
    for (const s of this.lineage(name).reverse()) {
      for (const i of s.instructions.filter((x) => x.keyword === "LABEL")) {
        for (const [, key, value] of i.args.matchAll(/([\w.-]+)="([^"]*)"/g)) labels.set(key!, value!);
      }
    }
    return labels;
  }
}
