import "server-only";
// Quick pick-up: a job sent on one instance wakes the idle workers of every instance at once
// (PostgreSQL LISTEN/NOTIFY), instead of waiting for pg-boss's next polling round. pg-boss stays
// the queue: a wake-up makes a worker fetch now. A wake-up may name the job's record ("queue:id");
// a queue whose handler can claim that record itself exactly once (the promotion's row) starts it
// from the wake-up, without the fetch, and its pg-boss job then finds it claimed.
import type PgBoss from "pg-boss";
import pg from "pg";
import { processWide } from "@/lib/process-wide";

const CHANNEL = "regatta_jobs";
const QUEUE_NAME = /^[a-z0-9_-]{1,64}$/;
const RECORD_ID = /^[0-9a-f-]{36}$/;

/** Starts the job of record `id` here if this instance has room (true), else false: the worker fetches. */
export type DirectStart = (id: string) => boolean;

interface WakeState { client?: pg.Client; stopped: boolean; workers: Map<string, Set<string>>; direct: Map<string, DirectStart>; boss?: PgBoss }
const state = processWide("jobWakeups", (): WakeState => ({ stopped: false, workers: new Map(), direct: new Map() }));

/**
 * Tells every instance's workers of `queue` to fetch now (best effort: polling still runs), over the
 * queue's own pool; with `recordId`, those that can claim that record themselves start it directly.
 */
export async function wakeWorkers(b: PgBoss, queue: string, recordId?: string): Promise<void> {
  const payload = recordId && RECORD_ID.test(recordId) ? `${queue}:${recordId}` : queue;
  await b.getDb().executeSql("SELECT pg_notify($1, $2)", [CHANNEL, payload]).catch((e) => console.error(`[regatta] job wake-up: ${e instanceof Error ? e.message : e}`));
}

/**
 * Makes `workerId` (a worker of `queue` on `b`) fetch whenever a wake-up for `queue` arrives; with
 * `direct`, a wake-up naming a record is offered to it first (it claims the record exactly once).
 */
export async function listenForWakeups(b: PgBoss, queue: string, workerId: string, direct?: DirectStart): Promise<void> {
  state.stopped = false;
  state.boss = b;
  if (!state.workers.has(queue)) state.workers.set(queue, new Set());
  state.workers.get(queue)!.add(workerId);
  if (direct) state.direct.set(queue, direct);
  if (!state.client) await connect(state);
}

async function connect(state: WakeState, attempt = 0): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  state.client = client;
  const again = () => {
    if (state.client !== client) return;
    state.client = undefined;
    client.end().catch(() => {});
    // a lost connection: reconnect with a bounded backoff; polling covers the gap
    if (!state.stopped) setTimeout(() => void connect(state, attempt + 1).catch(() => {}), Math.min(30_000, 500 * 2 ** Math.min(attempt, 6))).unref();
  };
  client.on("error", again);
  client.on("end", again);
  client.on("notification", (n) => {
    if (n.channel !== CHANNEL || !n.payload) return;
    const [queue = "", record, ...rest] = n.payload.split(":");
    if (rest.length || !QUEUE_NAME.test(queue) || (record !== undefined && !RECORD_ID.test(record))) return;
    const direct = record ? state.direct.get(queue) : undefined;
    try {
      if (direct?.(record!)) return;
    } catch (e) {
      console.error(`[regatta] job wake-up: ${e instanceof Error ? e.message : e}`);
    }
    for (const id of state.workers.get(queue) ?? []) state.boss?.notifyWorker(id);
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
  } catch (e) {
    console.error(`[regatta] job wake-ups: ${e instanceof Error ? e.message : e}; polling only until reconnected`);
    again();
  }
}

/** Stops listening (with the queue's stop). */
export async function stopWakeups(): Promise<void> {
  state.stopped = true;
  state.workers.clear();
  state.direct.clear();
  const client = state.client;
  state.client = undefined;
  await client?.end().catch(() => {});
}
