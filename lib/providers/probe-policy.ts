import "server-only";
// "Test connection" learns whether credentials may push or delete by asking the registry to do it
// to something that does not exist (a random digest, a tag nobody has, an upload cancelled at
// once). Those are still writes sent with the stored credentials, so only an admin's test makes
// them; anyone else's test answers "could not be told" (delete: null) for those parts.
import { AsyncLocalStorage } from "node:async_hooks";

const noWrites = new AsyncLocalStorage<true>();

/** Runs `fn` (a connection test) without any push or delete probe. */
export function withoutWriteProbes<T>(fn: () => Promise<T>): Promise<T> {
  return noWrites.run(true, fn);
}

/** Whether the connection test running now may send push/delete probes. */
export function writeProbesAllowed(): boolean {
  return noWrites.getStore() !== true;
}
