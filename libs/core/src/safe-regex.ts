import { RE2JS } from "re2js";
import { ErrorCode, ToolError } from "./errors.js";

/*
 * Every regular expression a request supplies (forEach.match in the
 * coordinator, code.grep's built-in engine) runs here, in re2js: a pure JS
 * port of RE2, whose matching time is linear in the text, so a pattern such
 * as ^(a+)+$ cannot hold an event loop for minutes as backtracking RegExp
 * does. It lives in libs/core because both the coordinator and the codebase
 * pool use it and neither app may import the other.
 *
 * RE2 has no backreferences or lookaround: those patterns are refused with
 * INVALID_ARGUMENT naming the field and the construct.
 */

/** A compiled client pattern; only what callers need of RegExp. */
export interface SafeRegex {
  readonly source: string;
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
  /** The first match's start (a UTF-16 index, as RegExp's) or null. */
  exec(text: string): { index: number } | null;
}

export interface SafeRegexOptions {
  /** Named in the error message, e.g. "forEach.match" or "pattern". */
  field: string;
  ignoreCase?: boolean;
  /** The pattern is a literal text, not a regex. */
  literal?: boolean;
}

/** Why RE2 refused a pattern, in words a client can act on. */
function unsupported(message: string): string | undefined {
  if (message.includes("`(?=")) return "lookahead is not supported";
  if (message.includes("`(?!")) return "negative lookahead is not supported";
  if (message.includes("`(?<=")) return "lookbehind is not supported";
  if (message.includes("`(?<!")) return "negative lookbehind is not supported";
  if (message.includes("`(?>")) return "atomic groups are not supported";
  if (/invalid escape sequence: `\\([1-9]|k)/.test(message)) return "backreferences are not supported";
  if (message.includes("invalid nested repetition operator")) return "possessive or nested repetition (e.g. a++, a**) is not supported";
  return undefined;
}

/**
 * Compiles a client-supplied pattern in RE2 syntax (linear-time matching).
 * Throws ToolError INVALID_ARGUMENT `<field>: <why> (RE2 syntax)`.
 */
export function compileSafeRegex(pattern: string, options: SafeRegexOptions): SafeRegex {
  const flags = options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0;
  let re: RE2JS;
  try {
    re = RE2JS.compile(options.literal ? RE2JS.quote(pattern) : pattern, flags);
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^error parsing regexp: /, "") : String(err);
    const why = unsupported(message);
    throw new ToolError(
      ErrorCode.INVALID_ARGUMENT,
      why ? `${options.field}: ${why} (RE2 syntax)` : `${options.field}: not a valid regular expression (RE2 syntax): ${message}`,
      { cause: err },
    );
  }
  return {
    source: pattern,
    test: (text) => re.matcher(text).find(),
    exec: (text) => {
      const m = re.matcher(text);
      return m.find() ? { index: m.start() } : null;
    },
  };
}
