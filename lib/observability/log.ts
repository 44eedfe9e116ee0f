// The one logger: one JSON line per event (pino) with level, time and message, plus whatever the
// event carries (request id, route, status, duration, actor id). Human-readable lines when
// NODE_ENV=development or REGATTA_LOG_FORMAT=pretty. Never log a secret: the fields named below
// are replaced by "[redacted]" wherever they appear, as a second line of defence.
import { createRequire } from "node:module";
import path from "node:path";
import pino, { type Logger } from "pino";
import { processWide } from "../process-wide";

export const REDACT = [
  "password", "*.password", "token", "*.token", "secret", "*.secret", "authorization", "*.authorization",
  "cookie", "*.cookie", "headers.authorization", "headers.cookie", "credentials", "*.credentials",
];

function create(): Logger {
  const level = process.env.REGATTA_LOG_LEVEL || (process.env.NODE_ENV === "test" ? "warn" : "info");
  const options: pino.LoggerOptions = {
    level,
    base: { service: "regatta" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
  };
  const pretty = process.env.REGATTA_LOG_FORMAT === "pretty" || (process.env.NODE_ENV === "development" && process.env.REGATTA_LOG_FORMAT !== "json");
  if (pretty) {
    try {
      // a dev dependency: synchronous, in this thread (no worker transport for Next to bundle)
      const build = createRequire(path.join(process.cwd(), "package.json"))("pino-pretty") as (o: object) => pino.DestinationStream;
      return pino(options, build({ sync: true, colorize: true, ignore: "service" }));
    } catch {
      // not installed (production image): JSON it is
    }
  }
  return pino(options, pino.destination({ sync: true }));
}

/** The process's logger; `log.child({ area })` for a part of it. */
export const log: Logger = processWide("log", create);

/** An error as loggable fields: name and message, never the stack's arguments or a cause's payload. */
export function errFields(err: unknown): { err: { name: string; message: string } } {
  return { err: err instanceof Error ? { name: err.name, message: err.message } : { name: "Error", message: String(err) } };
}
