import { Marked } from "marked";
import { markedTerminal } from "marked-terminal";

/**
 * Reports are Markdown. On a terminal they are rendered for it (headings,
 * lists, tables, code, links, no backslash escapes) by marked and
 * marked-terminal — both maintained, on Node ≥ 20 — rather than by a
 * renderer of our own: tables and reflow are most of the work. Piped, the
 * Markdown is printed as it is. TOOLMESH_RENDER=markdown|terminal overrides.
 */
export type RenderMode = "markdown" | "terminal";

export class RenderModeError extends Error {
  override readonly name = "RenderModeError";
}

/** How to print a report on a stream: rendered when it is a terminal, unless TOOLMESH_RENDER says otherwise. */
export function renderMode(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): RenderMode {
  const wanted = env.TOOLMESH_RENDER;
  if (wanted === "markdown" || wanted === "terminal") return wanted;
  if (wanted) throw new RenderModeError(`TOOLMESH_RENDER must be "markdown" or "terminal", got "${wanted}"`);
  return isTTY ? "terminal" : "markdown";
}

/** Markdown rendered for a terminal `width` columns wide; `colors` false keeps tables plain too. */
export function renderForTerminal(markdown: string, width = 80, colors = true): string {
  // emoji off: ":b:" in a path or a grep hit is not an emoji. Tables colour
  // through their own library, which does not look at the stream.
  const tableOptions = colors ? {} : { style: { head: [], border: [] } };
  const marked = new Marked(markedTerminal({ width, reflowText: true, showSectionPrefix: false, emoji: false, tableOptions }), {
    renderer: {
      // marked-terminal prints a tight list item's text raw — `code`, **bold**,
      // links and \_ escapes included — since marked 13 hands it the inline
      // tokens instead (mikaelbr/marked-terminal#304, #371). Render them;
      // `false` leaves every other text to marked-terminal.
      text(token) {
        return "tokens" in token && token.tokens ? this.parser.parseInline(token.tokens) : false;
      },
    },
  });
  const text = marked.parse(markdown, { async: false }).replace(/\n+$/, "");
  // The styling libraries decide about colour from the environment, not from
  // the stream we write to: a stream without colours gets none, whatever they decided.
  // eslint-disable-next-line no-control-regex -- SGR colour codes are what this removes
  return colors ? text : text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** The report as it goes to `out`. */
export function formatReport(
  markdown: string,
  out: { isTTY?: boolean; columns?: number; hasColors?: () => boolean },
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (renderMode(out.isTTY, env) === "markdown") return markdown;
  return renderForTerminal(markdown, Math.min(out.columns || 100, 120), out.hasColors?.() ?? false);
}
