import picomatch from "picomatch";

/**
 * Glob matching with ripgrep's -g semantics: a pattern without "/" matches
 * the file name at any depth ("*.ts"); one with "/" matches the path relative
 * to the root ("src/**\/*.ts").
 */
export function globMatcher(patterns: readonly string[]): (rel: string) => boolean {
  if (patterns.length === 0) return () => false;
  const matchers = patterns.map((pattern) => picomatch(pattern, { dot: true, basename: !pattern.includes("/") }));
  return (rel) => matchers.some((match) => match(rel));
}

/** include (empty = everything) minus exclude. */
export function pathFilter(include: readonly string[], exclude: readonly string[]): (rel: string) => boolean {
  const included = include.length ? globMatcher(include) : () => true;
  const excluded = globMatcher(exclude);
  return (rel) => included(rel) && !excluded(rel);
}
