/**
 * The one extension → language table: code.analyze names each file's language
 * by it, and synthesis names the language of code.read's files (which carry
 * none) by it, so a file is "TypeScript" or "Shell" the same way everywhere.
 */
import { posix } from "node:path";

/** What code.analyze and synth.report call a file whose language is not known. */
export const OTHER_LANGUAGE = "Other";

// Maps, not object lookups: a file named "x.constructor" must not find Object.prototype's.
const BY_EXTENSION = new Map<string, string>(
  Object.entries({
    ts: "TypeScript",
    tsx: "TypeScript",
    mts: "TypeScript",
    cts: "TypeScript",
    js: "JavaScript",
    jsx: "JavaScript",
    mjs: "JavaScript",
    cjs: "JavaScript",
    json: "JSON",
    jsonc: "JSON",
    json5: "JSON",
    md: "Markdown",
    mdx: "Markdown",
    markdown: "Markdown",
    yaml: "YAML",
    yml: "YAML",
    toml: "TOML",
    ini: "INI",
    xml: "XML",
    csv: "CSV",
    txt: "Text",
    py: "Python",
    pyi: "Python",
    go: "Go",
    rs: "Rust",
    java: "Java",
    kt: "Kotlin",
    kts: "Kotlin",
    scala: "Scala",
    rb: "Ruby",
    php: "PHP",
    cs: "C#",
    swift: "Swift",
    dart: "Dart",
    lua: "Lua",
    r: "R",
    pl: "Perl",
    c: "C",
    h: "C",
    cc: "C++",
    cpp: "C++",
    cxx: "C++",
    hpp: "C++",
    hh: "C++",
    hxx: "C++",
    m: "Objective-C",
    sh: "Shell",
    bash: "Shell",
    zsh: "Shell",
    fish: "Shell",
    ps1: "PowerShell",
    bat: "Batch",
    proto: "Protocol Buffers",
    graphql: "GraphQL",
    gql: "GraphQL",
    sql: "SQL",
    css: "CSS",
    scss: "SCSS",
    sass: "Sass",
    less: "Less",
    html: "HTML",
    htm: "HTML",
    vue: "Vue",
    svelte: "Svelte",
    tf: "HCL",
    hcl: "HCL",
    tpl: "Template",
    ex: "Elixir",
    exs: "Elixir",
    erl: "Erlang",
    hs: "Haskell",
    ml: "OCaml",
    clj: "Clojure",
    zig: "Zig",
    nix: "Nix",
    svg: "SVG",
  }),
);
const BY_NAME = new Map<string, string>(
  Object.entries({
    Dockerfile: "Dockerfile",
    Makefile: "Makefile",
    GNUmakefile: "Makefile",
    Jenkinsfile: "Groovy",
    "CMakeLists.txt": "CMake",
    Gemfile: "Ruby",
    Rakefile: "Ruby",
  }),
);

/** The language of a file from its name (basename, then extension, case-insensitive); undefined when unknown. */
export function languageOf(path: string): string | undefined {
  const name = posix.basename(path);
  const byName = BY_NAME.get(name);
  if (byName) return byName;
  if (name.startsWith("Dockerfile.")) return "Dockerfile";
  const dot = name.lastIndexOf(".");
  return dot > 0 ? BY_EXTENSION.get(name.slice(dot + 1).toLowerCase()) : undefined;
}
