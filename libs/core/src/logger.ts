import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** Structured JSON logs on stderr, one logger per service with its name bound. */
export function createLogger(service: string, level = "info"): Logger {
  return pino({ name: service, level, base: { service, pid: process.pid } }, pino.destination(2));
}
