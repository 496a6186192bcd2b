import type TS from "typescript";

export interface CodeSymbol {
  name: string;
  kind: string;
  /** 1-based line of the symbol's name (of the declaration when it has none). */
  line: number;
  exported: boolean;
}

let tsModule: Promise<typeof TS> | undefined;
/** The compiler is large (~10 MB); loaded on the first analyze call, not when the service starts. */
export function loadTypeScript(): Promise<typeof TS> {
  tsModule ??= import("typescript").then((m) => m.default);
  return tsModule;
}

function scriptKind(ts: typeof TS, path: string): TS.ScriptKind {
  if (/\.tsx$/i.test(path)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(path)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/i.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function hasModifier(ts: typeof TS, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function bindingNames(ts: typeof TS, name: TS.BindingName, out: TS.Identifier[]): void {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(ts, element.name, out);
}

/**
 * Top-level declarations of a TS/JS file, from the syntax tree alone (no
 * type checking): functions, classes, interfaces, types, enums, namespaces,
 * const/let/var (destructuring too), re-exports and `export default`.
 * `exported` also covers names exported later by `export { a, b }` or
 * `export default a`, and CommonJS `exports.name = ...`.
 */
export function scriptSymbols(ts: typeof TS, path: string, text: string): CodeSymbol[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, scriptKind(ts, path));
  const symbols: CodeSymbol[] = [];
  const byName = new Map<string, CodeSymbol>();
  const lineOf = (node: TS.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const add = (name: string, kind: string, at: TS.Node, exported: boolean): void => {
    const prior = byName.get(name);
    if (prior && prior.kind === kind) {
      prior.exported ||= exported; // overloads and merged declarations: one symbol
      return;
    }
    const symbol = { name, kind, line: lineOf(at), exported };
    symbols.push(symbol);
    byName.set(name, symbol);
  };
  const laterExports = new Set<string>();
  for (const st of source.statements) {
    const exported = hasModifier(ts, st, ts.SyntaxKind.ExportKeyword);
    const named = (kind: string, name: TS.Identifier | TS.StringLiteral | undefined): void =>
      add(name?.text ?? "default", kind, name ?? st, exported);
    if (ts.isFunctionDeclaration(st)) named("function", st.name);
    else if (ts.isClassDeclaration(st)) named("class", st.name);
    else if (ts.isInterfaceDeclaration(st)) named("interface", st.name);
    else if (ts.isTypeAliasDeclaration(st)) named("type", st.name);
    else if (ts.isEnumDeclaration(st)) named("enum", st.name);
    else if (ts.isModuleDeclaration(st) && (ts.isIdentifier(st.name) || ts.isStringLiteral(st.name)))
      named(ts.isStringLiteral(st.name) ? "module" : "namespace", st.name);
    else if (ts.isVariableStatement(st)) {
      const flags = st.declarationList.flags;
      const kind = flags & ts.NodeFlags.Const ? "const" : flags & ts.NodeFlags.Let ? "let" : "var";
      const ids: TS.Identifier[] = [];
      for (const decl of st.declarationList.declarations) bindingNames(ts, decl.name, ids);
      for (const id of ids) add(id.text, kind, id, exported);
    } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const spec of st.exportClause.elements) {
        if (st.moduleSpecifier) add(spec.name.text, "reexport", spec, true);
        else laterExports.add((spec.propertyName ?? spec.name).text);
      }
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      add(st.exportClause && ts.isNamespaceExport(st.exportClause) ? st.exportClause.name.text : "*", "reexport", st, true);
    } else if (ts.isExportAssignment(st)) {
      if (ts.isIdentifier(st.expression)) laterExports.add(st.expression.text);
      else add("default", "default", st, true);
    } else if (ts.isExpressionStatement(st)) {
      const name = commonJsExport(ts, st.expression);
      // `exports.helper = helper` exports a declared symbol; `exports.x = () => ...` declares one.
      if (name && byName.has(name)) laterExports.add(name);
      else if (name) add(name, "export", st, true);
    }
  }
  for (const symbol of symbols) if (laterExports.has(symbol.name)) symbol.exported = true;
  return symbols;
}

/** `exports.name = ...` or `module.exports.name = ...`: the exported name. */
function commonJsExport(ts: typeof TS, expr: TS.Expression): string | undefined {
  if (!ts.isBinaryExpression(expr) || expr.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const left = expr.left;
  if (!ts.isPropertyAccessExpression(left)) return undefined;
  const target = left.expression;
  const isExports = ts.isIdentifier(target) && target.text === "exports";
  const isModuleExports =
    ts.isPropertyAccessExpression(target) &&
    ts.isIdentifier(target.expression) &&
    target.expression.text === "module" &&
    target.name.text === "exports";
  return isExports || isModuleExports ? left.name.text : undefined;
}
