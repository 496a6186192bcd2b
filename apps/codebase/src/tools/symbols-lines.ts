import type { CodeSymbol } from "./symbols-ts.js";

interface LineRule {
  re: RegExp;
  kind: (m: RegExpExecArray) => string;
  exported: (name: string, m: RegExpExecArray) => boolean;
}

const pythonPublic = (name: string): boolean => !name.startsWith("_");
const goPublic = (name: string): boolean => /^\p{Lu}/u.test(name);
const RUST_ITEM =
  /^(pub(?:\([^)]*\))?\s+)?(?:(?:async|const|unsafe|extern\s+"[^"]*")\s+)*(fn|struct|enum|trait|type|mod|const|static|union|macro_rules!)\s*([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * Top-level definitions found line by line, for languages without a parser
 * here: a definition must start at column 0, which is what "top level"
 * looks like in Python, Go and Rust source. Good enough for an outline.
 */
const RULES: Record<string, LineRule[]> = {
  Python: [
    { re: /^(?:async\s+)?def\s+([A-Za-z_]\w*)/, kind: () => "function", exported: pythonPublic },
    { re: /^class\s+([A-Za-z_]\w*)/, kind: () => "class", exported: pythonPublic },
  ],
  Go: [
    { re: /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/, kind: (m) => (m[0].startsWith("func (") ? "method" : "function"), exported: goPublic },
    { re: /^type\s+([A-Za-z_]\w*)\s+(struct|interface)?/, kind: (m) => m[2] ?? "type", exported: goPublic },
    { re: /^(?:var|const)\s+([A-Za-z_]\w*)/, kind: (m) => (m[0].startsWith("var") ? "var" : "const"), exported: goPublic },
  ],
  Rust: [
    {
      re: RUST_ITEM,
      kind: (m) => (m[2] === "macro_rules!" ? "macro" : m[2]!),
      exported: (_name, m) => m[1] !== undefined,
    },
  ],
};

/** Name group per rule: Rust's is the third, the others' the first. */
const nameOf = (language: string, m: RegExpExecArray): string | undefined => (language === "Rust" ? m[3] : m[1]);

export function lineSymbols(language: string, text: string): CodeSymbol[] {
  const rules = RULES[language];
  if (!rules) return [];
  const symbols: CodeSymbol[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    for (const rule of rules) {
      const m = rule.re.exec(lines[i]!);
      const name = m && nameOf(language, m);
      if (m && name) {
        symbols.push({ name, kind: rule.kind(m), line: i + 1, exported: rule.exported(name, m) });
        break;
      }
    }
  }
  return symbols;
}
