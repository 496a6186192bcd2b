import ts from "typescript";

export interface CodeSymbol {
  name: string;
  kind: string;
  line: number;
  exported: boolean;
}

function hasExport(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** Top-level declarations of a TS/JS file, parsed without type checking. */
export function scriptSymbols(path: string, text: string): CodeSymbol[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const symbols: CodeSymbol[] = [];
  const add = (name: string, kind: string, node: ts.Node, exported: boolean): void => {
    symbols.push({ name, kind, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, exported });
  };
  for (const statement of source.statements) {
    const exported = hasExport(statement);
    if (ts.isFunctionDeclaration(statement)) add(statement.name?.text ?? "default", "function", statement, exported);
    else if (ts.isClassDeclaration(statement)) add(statement.name?.text ?? "default", "class", statement, exported);
    else if (ts.isInterfaceDeclaration(statement)) add(statement.name.text, "interface", statement, exported);
    else if (ts.isTypeAliasDeclaration(statement)) add(statement.name.text, "type", statement, exported);
    else if (ts.isEnumDeclaration(statement)) add(statement.name.text, "enum", statement, exported);
    else if (ts.isModuleDeclaration(statement)) add(statement.name.getText(source), "namespace", statement, exported);
    else if (ts.isVariableStatement(statement)) {
      const kind = statement.declarationList.flags & ts.NodeFlags.Const ? "const" : "variable";
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name)) add(decl.name.text, kind, decl, exported);
      }
    } else if (ts.isExportAssignment(statement)) add("default", "export", statement, true);
  }
  return symbols;
}

const LINE_PATTERNS: Record<string, Array<{ re: RegExp; kind: string }>> = {
  Python: [
    { re: /^(?:async\s+)?def\s+(\w+)/, kind: "function" },
    { re: /^class\s+(\w+)/, kind: "class" },
  ],
  Go: [
    { re: /^func\s+(?:\([^)]*\)\s*)?(\w+)/, kind: "function" },
    { re: /^type\s+(\w+)/, kind: "type" },
  ],
};

/** Top-level definitions by line pattern, for languages without a parser here. */
export function lineSymbols(language: string, text: string): CodeSymbol[] {
  const patterns = LINE_PATTERNS[language];
  if (!patterns) return [];
  const symbols: CodeSymbol[] = [];
  text.split("\n").forEach((line, index) => {
    for (const { re, kind } of patterns) {
      const name = re.exec(line)?.[1];
      if (name) {
        const exported = language === "Go" ? /^[A-Z]/.test(name) : !name.startsWith("_");
        symbols.push({ name, kind, line: index + 1, exported });
      }
    }
  });
  return symbols;
}
