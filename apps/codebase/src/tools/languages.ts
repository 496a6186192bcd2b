import { posix } from "node:path";

const BY_EXTENSION: Record<string, string> = {
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
};
const BY_NAME: Record<string, string> = {
  Dockerfile: "Dockerfile",
  Makefile: "Makefile",
  GNUmakefile: "Makefile",
  Jenkinsfile: "Groovy",
  "CMakeLists.txt": "CMake",
  Gemfile: "Ruby",
  Rakefile: "Ruby",
};

/** The language of a file from its name; "Other" when unknown. */
export function languageOf(path: string): string {
  const name = posix.basename(path);
  if (BY_NAME[name]) return BY_NAME[name];
  if (name.startsWith("Dockerfile.")) return "Dockerfile";
  const dot = name.lastIndexOf(".");
  return (dot > 0 && BY_EXTENSION[name.slice(dot + 1).toLowerCase()]) || "Other";
}

/** Extensions parsed with the TypeScript compiler for symbols. */
export function isScriptFile(path: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(path);
}
