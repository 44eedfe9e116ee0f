// Notification rules (admin): which events, where (registry + repository glob), to which receiver.
import { z } from "zod";
import { globField, REPOSITORY_MAX } from "./names";

/** The event types a rule may ask for (see lib/services/notifications.ts eventTypeOf for the audit actions behind them). */
export const NOTIFICATION_EVENTS = [
  "promotion.succeeded", // a promote / retag / rollback landed (into a stage or anywhere the glob says)
  "promotion.failed",
  "promotion.denied", // refused by a protection rule or a role
  "tag.protected_moved", // a tag under a protection rule now points elsewhere (push seen by webhook or sync)
  "tag.deleted",
  "retention.run", // a retention run finished (the retention service calls notify())
  "registry.down", // a registry unreachable for REGATTA_NOTIFY_DOWN_MINUTES (checked every minute)
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** How each event is named to people: the settings page and the messages sent. */
export const NOTIFICATION_EVENT_LABELS: Record<NotificationEvent, string> = {
  "promotion.succeeded": "Promotion succeeded",
  "promotion.failed": "Promotion failed",
  "promotion.denied": "Promotion denied",
  "tag.protected_moved": "Protected tag moved",
  "tag.deleted": "Tag deleted",
  "retention.run": "Retention run",
  "registry.down": "Registry down",
};

export const NOTIFICATION_KINDS = ["SLACK", "WEBHOOK"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Longest destination URL accepted. */
export const NOTIFICATION_URL_MAX = 2048;

const url = z
  .string()
  .trim()
  .min(1, "url is required")
  .max(NOTIFICATION_URL_MAX, `url is at most ${NOTIFICATION_URL_MAX} characters`)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password && !!u.hostname;
    } catch {
      return false;
    }
  }, "url must be an http(s) URL without user:password@");

const events = z
  .array(z.enum(NOTIFICATION_EVENTS, { error: `events must be among ${NOTIFICATION_EVENTS.join(", ")}` }))
  .min(1, "events: choose at least one event")
  .max(NOTIFICATION_EVENTS.length)
  .transform((e) => [...new Set(e)]);

const fields = {
  name: z.string().trim().min(1, "name is required").max(80, "name is at most 80 characters"),
  events,
  registryId: z.string().uuid("registryId must be a registry id").nullable().optional(),
  repositoryGlob: globField("repositoryGlob", REPOSITORY_MAX).optional(),
  enabled: z.boolean().optional(),
};

export const notificationRuleCreateSchema = z
  .object({ ...fields, kind: z.enum(NOTIFICATION_KINDS, { error: `kind must be one of ${NOTIFICATION_KINDS.join(", ")}` }), url })
  .strict();
export type NotificationRuleCreate = z.infer<typeof notificationRuleCreateSchema>;

export const notificationRuleUpdateSchema = z
  .object({
    name: fields.name.optional(),
    events: events.optional(),
    registryId: fields.registryId,
    repositoryGlob: fields.repositoryGlob,
    enabled: fields.enabled,
    url: url.optional(),
    /** A new signing secret, shown once in the answer (WEBHOOK rules). */
    rotateSecret: z.boolean().optional(),
  })
  .strict();
export type NotificationRuleUpdate = z.infer<typeof notificationRuleUpdateSchema>;

export const deliveryQuerySchema = z
  .object({
    ruleId: z.string().uuid("ruleId must be a rule id").optional(),
    state: z.enum(["PENDING", "RETRYING", "DELIVERED", "FAILED"]).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();

export interface NotificationRuleView {
  id: string;
  name: string;
  kind: NotificationKind;
  events: NotificationEvent[];
  registryId: string | null;
  repositoryGlob: string;
  /** scheme, host and a masked path: the full URL is a secret (Slack) and never shown again */
  urlPreview: string;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface NotificationDeliveryView {
  id: string;
  ruleId: string;
  ruleName: string;
  event: string;
  summary: string;
  state: "PENDING" | "RETRYING" | "DELIVERED" | "FAILED";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
