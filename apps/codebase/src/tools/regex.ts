import { ErrorCode, ToolError } from "@toolmesh/core";

/*
 * The built-in engine runs JS RegExp; ripgrep runs Rust's regex. The "u"
 * flag plus a light rewrite gives the common syntax Rust's meaning:
 *  - \w \d \b (and \W \D \B) are Unicode-aware in Rust, ASCII in JS;
 *  - "." matches anything but "\n" in Rust ("s" flag: lines hold no "\n");
 *  - (?i) at the start, (?P<name>...), \pL, \A, \z and [[:alpha:]] are Rust-only.
 * Case folding with "iu" is Unicode simple case folding, as in Rust.
 * What remains different is listed in the tools' README section of index.ts.
 */
const WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
const OUTSIDE_CLASS: Record<string, string> = {
  d: "\\p{Nd}",
  D: "\\P{Nd}",
  w: `[${WORD}]`,
  W: `[^${WORD}]`,
  b: `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`,
  B: `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`,
  A: "^",
  z: "$",
};
const INSIDE_CLASS: Record<string, string> = { d: "\\p{Nd}", w: WORD };
/** Rust's POSIX classes are ASCII. */
const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z", alpha: "A-Za-z", ascii: "\\x00-\\x7F", blank: "\\t ", cntrl: "\\x00-\\x1F\\x7F", digit: "0-9",
  graph: "!-~", lower: "a-z", print: " -~", punct: "!-\\/:-@\\[-`{-~", space: "\\t\\n\\v\\f\\r ", upper: "A-Z",
  word: "0-9A-Za-z_", xdigit: "0-9A-Fa-f",
};

/** Rewrites Rust regex syntax that JS reads differently (see above). */
export function rustToJs(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const n = pattern[i + 1];
      i++;
      if (n === undefined) return out + c;
      const mapped = (inClass ? INSIDE_CLASS : OUTSIDE_CLASS)[n];
      if (mapped) out += mapped;
      else if ((n === "p" || n === "P") && pattern[i + 1] !== "{" && pattern[i + 1] !== undefined) out += `\\${n}{${pattern[++i]}}`;
      else out += c + n;
      continue;
    }
    if (inClass) {
      const posix = c === "[" ? /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i)) : null;
      if (posix && POSIX[posix[2]!] && !posix[1]) {
        out += POSIX[posix[2]!];
        i += posix[0].length - 1;
      } else {
        if (c === "]") inClass = false;
        out += c;
      }
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (pattern[i + 1] === "^") out += pattern[++i];
      // A "]" first in a class is a literal in Rust; JS would close an empty class.
      if (pattern[i + 1] === "]") (out += "\\]"), i++;
    } else if (c === "(" && pattern.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
    } else {
      out += c;
    }
  }
  return out;
}

/** Escapes a literal for RegExp; only syntax characters, so it also compiles with "u". */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The RegExp the built-in engine matches each line with. */
export function compileLineRegex(pattern: string, literal: boolean, ignoreCase: boolean): RegExp {
  if (literal) return new RegExp(escapeRegex(pattern), ignoreCase ? "isu" : "su");
  let source = pattern;
  let ci = ignoreCase;
  if (source.startsWith("(?i)")) (source = source.slice(4)), (ci = true);
  const flags = ci ? "is" : "s";
  try {
    return new RegExp(rustToJs(source), `${flags}u`);
  } catch {
    // "u" refuses escapes Rust and legacy JS accept (e.g. "\:"); try the pattern as plain JS.
    try {
      return new RegExp(source, flags);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ToolError(ErrorCode.INVALID_ARGUMENT, `pattern is not a valid regular expression (${why}); use literal: true to search for the text as is`);
    }
  }
}
