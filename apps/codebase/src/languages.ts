import { extname, posix } from "node:path";

const BY_EXTENSION: Record<string, string> = {
  ".ts": "TypeScript", ".tsx": "TypeScript", ".mts": "TypeScript", ".cts": "TypeScript",
  ".js": "JavaScript", ".jsx": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript",
  ".json": "JSON", ".md": "Markdown", ".yaml": "YAML", ".yml": "YAML", ".toml": "TOML",
  ".py": "Python", ".go": "Go", ".rs": "Rust", ".java": "Java", ".kt": "Kotlin", ".rb": "Ruby",
  ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++", ".hpp": "C++", ".cs": "C#", ".swift": "Swift",
  ".sh": "Shell", ".bash": "Shell", ".proto": "Protocol Buffers", ".css": "CSS", ".scss": "SCSS",
  ".html": "HTML", ".sql": "SQL", ".tpl": "Go template", ".xml": "XML",
};
const BY_NAME: Record<string, string> = { Dockerfile: "Dockerfile", Makefile: "Makefile" };

export function languageOf(path: string): string {
  const name = posix.basename(path);
  return BY_NAME[name] ?? BY_EXTENSION[extname(name).toLowerCase()] ?? "Other";
}

export const SCRIPT_LANGUAGES: ReadonlySet<string> = new Set(["TypeScript", "JavaScript"]);
