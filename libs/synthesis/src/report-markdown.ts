import type { Report } from "./report.js";

/** Inline code that cannot break out of its backticks or its line. */
function code(text: string): string {
  return `\`${text.replace(/[`\r\n]+/g, " ").trim()}\``;
}

/** Text on one line, with Markdown's active characters escaped. */
function inline(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/([\\`*_[\]<>|#])/g, "\\$1");
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

export function renderMarkdown(r: Report): string {
  const out: string[] = [`# ${inline(r.title)}`, ""];
  if (r.question) out.push(`**Question:** ${inline(r.question)}`, "");

  const kinds = Object.entries(r.totals.byKind)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  out.push("## Summary", "");
  out.push(`- Inputs: ${r.totals.inputs}${r.totals.skipped ? ` (${r.totals.skipped} unreadable, skipped)` : ""}`);
  out.push(`- Records: ${r.totals.records}${kinds ? ` (${kinds})` : ""}${r.totals.duplicates ? `; ${n(r.totals.duplicates, "near-duplicate")} merged` : ""}`);
  if (r.totals.skippedItems) out.push(`- Unreadable items skipped: ${r.totals.skippedItems}`);
  out.push("");

  if (r.top.length && r.question) {
    out.push("## Most relevant", "");
    for (const t of r.top) out.push(`- ${t.kind === "page" || t.kind === "search-result" ? `[${inline(t.title ?? t.key)}](${target(t.key)})` : code(t.key)} — ${inline(t.text) || inline(t.title ?? "")}`);
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
    for (const c of r.crossLinked) out.push(`- ${code(c.key)} — mentioned by ${c.families.join(" and ")} (${c.sources.map(inline).join(", ")})`);
    out.push("");
  }

  if (r.web.length) {
    out.push("## Web sources", "");
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

  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}
