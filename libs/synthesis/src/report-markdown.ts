import type { Report } from "./report.js";
import type { SearchSummary } from "./searches.js";

/** Inline code that cannot break out of its backticks or its line. */
function code(text: string): string {
  return `\`${text.replace(/[`\r\n]+/g, " ").trim()}\``;
}

/** Text on one line, with Markdown's active characters escaped. */
function inline(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/([\\`*_[\]<>|#])/g, "\\$1");
}

/** A URL usable as a link target: no spaces or parentheses to end it early. */
function target(url: string): string {
  return url.replace(/[\s()<>]/g, (c) => encodeURIComponent(c).replace(/[()]/g, (p) => (p === "(" ? "%28" : "%29")));
}

/** "1 line", "2 lines". */
function n(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : noun.endsWith("ch") ? `${noun}es` : `${noun}s`}`;
}

function fence(text: string): string[] {
  const ticks = text.includes("```") ? "~~~~" : "```";
  return [ticks, text, ticks];
}

/** Prose on one line: Markdown's active characters escaped, but not the "_" inside names like TOOLMESH_SEARXNG_URL. */
function prose(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/([\\`*[\]<>|])/g, "\\$1")
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace("_", "\\_"))
    .replace(/^#/, "\\#");
}

/** How one provider did over the report's searches: "searxng: 12 answered (80 results)". */
function providerLine(p: SearchSummary["providers"][number]): string {
  const parts = [
    ...(p.ok ? [`${p.ok} answered (${n(p.results, "result")})`] : []),
    ...(p.failed ? [`${p.failed} failed`] : []),
    ...(p.notConfigured ? ["not configured"] : []),
  ];
  return `${p.provider}: ${parts.join(", ")}${p.errors.length ? ` (${p.errors.join("; ")})` : ""}`;
}

/** The line under the title when nothing came from the web: what was tried, why it failed, how to fix it. */
function localOnlyNotice(s: SearchSummary): string[] {
  const missed = s.providers.filter((p) => p.web && p.ok === 0).map((p) => `${p.provider}: ${p.errors.join("; ") || "no answer"}`);
  const lines = [
    missed.length
      ? `**Sources: local index only** — no web search provider was reachable (${prose(missed.join("; "))}).`
      : "**Sources: local index only** — no web search provider was asked.",
  ];
  if (s.configure) lines.push(`${prose(s.configure.charAt(0).toUpperCase() + s.configure.slice(1))}.`);
  return [lines.join(" "), ""];
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [`# ${inline(r.title)}`, ""];
  if (r.search?.localOnly) out.push(...localOnlyNotice(r.search));
  if (r.question) out.push(`**Question:** ${inline(r.question)}`, "");

  const kinds = Object.entries(r.totals.byKind)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  out.push("## Summary", "");
  out.push(`- Inputs: ${r.totals.inputs}${r.totals.skipped ? ` (${r.totals.skipped} unreadable, skipped)` : ""}`);
  out.push(
    `- Records: ${r.totals.records}${kinds ? ` (${kinds})` : ""}${r.totals.duplicates ? `; ${n(r.totals.duplicates, "near-duplicate")} merged` : ""}`,
  );
  if (r.totals.skippedItems) out.push(`- Unreadable items skipped: ${r.totals.skippedItems}`);
  if (r.search)
    out.push(`- Search providers over ${n(r.search.searches, "search")}: ${prose(r.search.providers.map(providerLine).join("; "))}`);
  out.push("");

  if (r.top.length && r.question) {
    out.push("## Most relevant", "");
    for (const t of r.top)
      out.push(
        `- ${t.kind === "page" || t.kind === "search-result" ? `[${inline(t.title ?? t.key)}](${target(t.key)})` : code(t.key)} — ${inline(t.text) || inline(t.title ?? "")}`,
      );
    out.push("");
  }

  if (r.code) {
    out.push("## Languages", "", `${n(r.code.files, "file")}, ${n(r.code.lines, "line")}, ${n(r.code.symbols, "top-level symbol")}.`, "");
    out.push("| Language | Files | Lines |", "|---|---:|---:|");
    for (const l of r.code.languages) out.push(`| ${inline(l.language)} | ${l.files} | ${l.lines} |`);
    out.push("");
    if (r.code.largestFiles.length) {
      out.push("Largest files:", "");
      for (const f of r.code.largestFiles) out.push(`- ${code(f.path)} — ${n(f.lines, "line")}${f.language ? `, ${f.language}` : ""}`);
      out.push("");
    }
  }

  if (r.topMatches.length) {
    out.push("## Top matches", "");
    for (const m of r.topMatches) out.push(`- ${code(`${m.path}:${m.line}`)} ${code(m.text)}`);
    out.push("");
  }

  if (r.hotspots.length) {
    out.push("## Hotspots", "");
    for (const h of r.hotspots) out.push(`- ${code(h.path)} — ${h.markers} TODO/FIXME/HACK, ${n(h.matches, "match")}`);
    out.push("");
  }

  if (r.modules.length) {
    out.push("## Main modules", "", "| Module | Files | Lines |", "|---|---:|---:|");
    for (const m of r.modules) out.push(`| ${code(m.module)} | ${m.files} | ${m.lines} |`);
    out.push("");
    if (r.moduleEdges.length) {
      out.push(`How they connect (${inline(r.moduleEdgesNote)}):`, "");
      for (const e of r.moduleEdges) out.push(`- ${code(e.from)} → ${code(e.to)} (${n(e.imports, "import")})`);
    } else out.push(`How they connect: ${inline(r.moduleEdgesNote)}.`);
    out.push("");
  }

  if (r.crossLinked.length) {
    out.push("## Cross-links", "");
    for (const c of r.crossLinked)
      out.push(`- ${code(c.key)} — mentioned by ${c.families.join(" and ")} (${c.sources.map(inline).join(", ")})`);
    out.push("");
  }

  if (r.web.length) {
    // Local-index results are files, not web pages: the heading must not say otherwise.
    out.push(r.search?.localOnly ? "## Sources (local index, not the web)" : "## Web sources", "");
    for (const w of r.web) out.push(`- [${inline(w.title)}](${target(w.url)})${w.snippet ? ` — ${inline(w.snippet)}` : ""}`);
    out.push("");
  }

  if (r.commands.length) {
    out.push("## Commands", "");
    for (const c of r.commands) {
      out.push(`- ${inline(c.source)}: ${inline(c.title)}`);
      if (c.output) out.push("", ...fence(c.output), "");
    }
    out.push("");
  }

  if (r.answers.length) {
    out.push("## Agent answers", "");
    for (const a of r.answers) out.push(`### ${inline(a.title ?? a.source)}`, "", a.answer.trim(), "", `— ${inline(a.source)}`, "");
  }

  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
