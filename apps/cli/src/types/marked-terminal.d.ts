// marked-terminal ships no types, and @types/marked-terminal pins marked < 12.
declare module "marked-terminal" {
  import type { MarkedExtension } from "marked";

  /** Options of marked-terminal's renderer (those the CLI sets). */
  export interface TerminalRendererOptions {
    width?: number;
    reflowText?: boolean;
    showSectionPrefix?: boolean;
    emoji?: boolean;
    tab?: number;
    [option: string]: unknown;
  }

  export function markedTerminal(options?: TerminalRendererOptions, highlightOptions?: Record<string, unknown>): MarkedExtension;
}
