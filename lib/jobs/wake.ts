import "server-only";
// Quick pick-up: a job sent on one instance wakes the idle workers of every instance at once
// (PostgreSQL LISTEN/NOTIFY), instead of waiting for pg-boss's next polling round. pg-boss stays
// the queue and its fetch the exactly-once claim: a wake-up only makes a worker fetch now.
import type PgBoss from "pg-boss";
import pg from "pg";

const CHANNEL = "regatta_jobs";
const QUEUE_NAME = /^[a-z0-9_-]{1,64}$/;

interface WakeState { client?: pg.Client; stopped: boolean; workers: Map<string, Set<string>>; boss?: PgBoss }
const g = globalThis as unknown as { regattaWake?: WakeState };

/** Tells every instance's workers of `queue` to fetch now (best effort: polling still runs), over the queue's own pool. */
export async function wakeWorkers(b: PgBoss, queue: string): Promise<void> {
  await b.getDb().executeSql("SELECT pg_notify($1, $2)", [CHANNEL, queue]).catch((e) => console.error(`[regatta] job wake-up: ${e instanceof Error ? e.message : e}`));
}

/** Makes `workerId` (a worker of `queue` on `b`) fetch whenever a wake-up for `queue` arrives. */
export async function listenForWakeups(b: PgBoss, queue: string, workerId: string): Promise<void> {
  const state: WakeState = (g.regattaWake ??= { stopped: false, workers: new Map() });
  state.stopped = false;
  state.boss = b;
  if (!state.workers.has(queue)) state.workers.set(queue, new Set());
  state.workers.get(queue)!.add(workerId);
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
    if (n.channel !== CHANNEL || !n.payload || !QUEUE_NAME.test(n.payload)) return;
    for (const id of state.workers.get(n.payload) ?? []) state.boss?.notifyWorker(id);
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
  const state = g.regattaWake;
  if (!state) return;
  state.stopped = true;
  state.workers.clear();
  const client = state.client;
  state.client = undefined;
  await client?.end().catch(() => {});
}
