// The background sync's answer, shared by the job, the route and the registry page.
export interface SyncResult {
  registryId: string;
  startedAt: string;
  finishedAt: string;
  repositories: number;
  tags: number;
  added: number;
  moved: number;
  removed: number;
  /** repositories that could not be read, with the registry's message */
  errors: { repository: string; message: string }[];
}

export interface SyncStatus {
  state: "never" | "queued" | "running" | "succeeded" | "failed";
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  result?: SyncResult;
  error?: string;
  /** the last finished run, when a newer one is queued or running */
  last?: { state: "succeeded" | "failed"; finishedAt: string; result?: SyncResult; error?: string };
  intervalMinutes: number;
}
