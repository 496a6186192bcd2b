/**
 * The ready line the bench's own child scripts print on stderr, in the shape
 * toolmesh services use, so startServiceProcess can wait for them alike.
 */
export function logReady(fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level: 30, msg: "ready", ...fields })}\n`);
}
