import { OTHER_LANGUAGE, languageOf } from "@toolmesh/tools";
import { describe, expect, it } from "vitest";

describe("languageOf (the one extension → language table)", () => {
  it("names a file by its extension, case-insensitively, wherever it lies", () => {
    expect(languageOf("libs/core/src/errors.ts")).toBe("TypeScript");
    expect(languageOf("apps/web/App.TSX")).toBe("TypeScript");
    expect(languageOf("scripts/build.mjs")).toBe("JavaScript");
    expect(languageOf("README.md")).toBe("Markdown");
    expect(languageOf("deploy/values.yml")).toBe("YAML");
    expect(languageOf("proto/toolmesh/v1/coordinator.proto")).toBe("Protocol Buffers");
    expect(languageOf("src/lib.hpp")).toBe("C++");
    expect(languageOf("Program.cs")).toBe("C#");
  });

  // The union of the two tables it replaced: code.analyze's names these, synthesis's old one did not.
  it("knows what only code.analyze's table knew", () => {
    expect(languageOf("stubs/os.pyi")).toBe("Python");
    expect(languageOf("build.gradle.kts")).toBe("Kotlin");
    expect(languageOf("infra/main.tf")).toBe("HCL");
    expect(languageOf("lib/app.ex")).toBe("Elixir");
    expect(languageOf("run.zsh")).toBe("Shell");
  });

  it("names files that have no telling extension by their whole name", () => {
    expect(languageOf("Dockerfile")).toBe("Dockerfile");
    expect(languageOf("deploy/Dockerfile.dev")).toBe("Dockerfile");
    expect(languageOf("GNUmakefile")).toBe("Makefile");
    expect(languageOf("native/CMakeLists.txt")).toBe("CMake");
    expect(languageOf("notes/other.txt")).toBe("Text");
  });

  it("is undefined for what it does not know: no extension, a dot file, an unknown extension", () => {
    expect(languageOf("LICENSE")).toBeUndefined();
    expect(languageOf(".bashrc")).toBeUndefined();
    expect(languageOf("data/blob.xyz")).toBeUndefined();
    expect(languageOf("dir.ts/file")).toBeUndefined();
    // Names of Object.prototype's members are not languages.
    expect(languageOf("x.constructor")).toBeUndefined();
    expect(languageOf("__proto__")).toBeUndefined();
    expect(OTHER_LANGUAGE).toBe("Other");
  });
});
