/** The tiny no-op payload every system echoes: 16 bytes, so only overhead is measured. */
export const ECHO_VALUE = "toolmesh-bench16";

/** Per-call limit for every system, so a dead worker fails the bench instead of hanging it. */
export const CALL_TIMEOUT_MS = 30_000;

export function echoMismatch(system: string, got: unknown): Error {
  return new Error(`${system} echoed ${JSON.stringify(got)} instead of ${JSON.stringify(ECHO_VALUE)}`);
}
