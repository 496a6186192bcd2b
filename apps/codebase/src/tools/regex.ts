import { compileSafeRegex, type SafeRegex } from "@toolmesh/core";

/*
 * The built-in engine runs RE2 (re2js, through libs/core's compileSafeRegex):
 * linear-time matching, so a client's pattern such as ^(a+)+$ cannot take
 * exponential time on a long line. ripgrep runs Rust's regex, whose syntax is
 * RE2's plus Unicode-aware classes; RE2 already reads (?i), (?P<name>...),
 * \pL, \A, \z, [[:alpha:]] (ASCII, as in Rust) and "." (anything but "\n")
 * as Rust does, and its case folding is Unicode simple case folding, as
 * Rust's. What it reads differently is rewritten here:
 *  - \w \d \s (and \W \D \S) are Unicode-aware in Rust, ASCII in RE2.
 * \b and \B stay ASCII word boundaries (RE2 has no Unicode ones).
 */
const WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}";
/** Rust's \s: the Unicode White_Space property. */
const SPACE = "\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
const OUTSIDE_CLASS: Record<string, string> = {
  d: "\\p{Nd}",
  D: "\\P{Nd}",
  w: `[${WORD}]`,
  W: `[^${WORD}]`,
  s: `[${SPACE}]`,
  S: `[^${SPACE}]`,
};
/** Inside a [class] only the positive ones (and \D) can be spelled out. */
const INSIDE_CLASS: Record<string, string> = { d: "\\p{Nd}", D: "\\P{Nd}", w: WORD, s: SPACE };

/** Rewrites Rust regex syntax that RE2 reads differently (see above). */
export function rustToRe2(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const n = pattern[i + 1];
      i++;
      if (n === undefined) return out + c;
      out += (inClass ? INSIDE_CLASS : OUTSIDE_CLASS)[n] ?? c + n;
      continue;
    }
    if (inClass) {
      // [:alpha:] inside a class is copied whole, so its "]" does not end the class.
      const posix = c === "[" ? /^\[:\^?[a-z]+:\]/.exec(pattern.slice(i)) : null;
      if (posix) {
        out += posix[0];
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
      // A "]" first in a class is a literal, in Rust as in RE2.
      if (pattern[i + 1] === "]") {
        out += "]";
        i++;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** The pattern the built-in engine matches each line with (RE2, linear time). */
export function compileLineRegex(pattern: string, literal: boolean, ignoreCase: boolean): SafeRegex {
  return compileSafeRegex(literal ? pattern : rustToRe2(pattern), { field: "pattern", literal, ignoreCase });
}
