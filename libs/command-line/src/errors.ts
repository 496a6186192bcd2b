/** A command line the command cannot run: exit 2 with this line and the command's usage. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
