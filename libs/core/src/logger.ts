import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** Structured JSON logs on stderr, one logger per service with its name bound. */
/** JSON logs on stderr, or appended to `file` (a service run inside another process, such as `up`'s gateway). */
export function createLogger(service: string, level = "info", file?: string): Logger {
  return pino(
    { name: service, level, base: { service, pid: process.pid } },
    pino.destination(file ? { dest: file, append: true, mkdir: true } : 2),
  );
}
