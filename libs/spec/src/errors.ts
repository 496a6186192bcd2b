/** A workflow spec that cannot run; the message says what to fix. */
export class InvalidSpecError extends Error {
  override readonly name = "InvalidSpecError";
}

/** A spec or an argument too large to accept or to carry on the bus; says the size and the limit. */
export class SpecTooLargeError extends Error {
  override readonly name = "SpecTooLargeError";
  readonly bytes: number;
  readonly limit: number;
  constructor(message: string, bytes: number, limit: number) {
    super(message);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** A placeholder or a forEach.items path that cannot be filled from the outputs at hand. */
export class PlaceholderError extends Error {
  override readonly name = "PlaceholderError";
}
