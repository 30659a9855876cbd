import { randomBytes } from "node:crypto";
import type { Db } from "@notify/db";
import { webPushEgressPolicy, type EgressPolicy } from "@notify/egress";
import type { createBroadcastQueue, DeliveryQueues, RedisConnection } from "@notify/jobs";
import type { Logger } from "pino";
import { ApiKeyCache } from "./auth/api-key-cache.js";
import { ApiKeyService } from "./auth/api-keys.js";
import { AuditService } from "./audit/audit.service.js";
import { RecipientTokenPolicy, type RecipientTokenLimits } from "./auth/recipient-token-policy.js";
import { RecipientErasureService } from "./recipients/recipient-erasure.service.js";
import { MemberService } from "./members/member.service.js";
import { BulkSendService } from "./bulk/bulk-send.service.js";
import { DeviceService } from "./devices/device.service.js";
import { DeadLetterService } from "./notifications/dead-letter.service.js";
import { LiveService } from "./live/live.service.js";
import { Enqueuer } from "./notifications/enqueue.js";
import { NotificationService } from "./notifications/notification.service.js";
import { PreferenceService } from "./preferences/preference.service.js";
import { RecipientService } from "./recipients/recipient.service.js";
import { RecipientTokenService } from "./auth/recipient-token.js";
import { ScheduleService } from "./notifications/schedule.service.js";
import { RecurringService } from "./schedules/recurring.service.js";
import { RenderPool, type RenderPoolOptions } from "./templates/render-pool.js";
import { TemplateRenderer } from "./templates/renderer.js";
import { TemplateService } from "./templates/template.service.js";
import { TopicService } from "./topics/topic.service.js";

export interface Services {
  apiKeys: ApiKeyService;
  members: MemberService;
  recipients: RecipientService;
  devices: DeviceService;
  notifications: NotificationService;
  deadLetters: DeadLetterService;
  bulk: BulkSendService;
  schedules: ScheduleService;
  recurring: RecurringService;
  recipientTokens: RecipientTokenService;
  recipientTokenPolicy: RecipientTokenPolicy;
  recipientErasure: RecipientErasureService;
  audit: AuditService;
  preferences: PreferenceService;
  templates: TemplateService;
  topics: TopicService;
  live: LiveService;
}

/** Wires the services once per process; they hold no per-request state. */
export function createServices(
  db: Db,
  queues: DeliveryQueues & { broadcast: ReturnType<typeof createBroadcastQueue> },
  log: Logger,
  redis: RedisConnection,
  {
    appTokenSecret,
    tokenLimits,
    webPushEgress = webPushEgressPolicy(),
    renderPool,
  }: {
    appTokenSecret?: string;
    tokenLimits: RecipientTokenLimits;
    /** Which Web Push endpoints may be registered (see webPushEgressFor); the real push services only by default. */
    webPushEgress?: EgressPolicy;
    /** Without pool options (tools, tests) every render runs in process, under the same budgets. */
    renderPool?: RenderPoolOptions;
  },
): Services {
  if (!appTokenSecret) log.warn("APP_TOKEN_SECRET is not set: recipient tokens are signed with a random key and stop working when this process exits");
  const enqueuer = new Enqueuer(db, queues, log);
  const recipients = new RecipientService(db);
  const preferences = new PreferenceService(db, recipients);
  // Without pool options (tools, tests) every render runs in process, under the same budgets.
  const templates = new TemplateService(db, new TemplateRenderer(renderPool ? new RenderPool(renderPool) : null));
  return {
    // Key rows cached in process; revocations published on Redis reach every API process.
    apiKeys: new ApiKeyService(db, new ApiKeyCache(500, redis, log)),
    members: new MemberService(db),
    preferences,
    recipients,
    devices: new DeviceService(db, recipients, webPushEgress),
    notifications: new NotificationService(db, recipients, enqueuer, templates),
    deadLetters: new DeadLetterService(db, recipients, enqueuer),
    bulk: new BulkSendService(db, enqueuer, templates),
    schedules: new ScheduleService(db, enqueuer),
    recurring: new RecurringService(db, recipients, templates, enqueuer),
    recipientTokens: new RecipientTokenService(db, recipients, appTokenSecret ?? randomBytes(32).toString("base64url")),
    recipientTokenPolicy: new RecipientTokenPolicy(db, redis, tokenLimits),
    recipientErasure: new RecipientErasureService(db, enqueuer),
    audit: new AuditService(db),
    templates,
    topics: new TopicService(db, templates, queues.broadcast, log),
    live: new LiveService(db, queues, log),
  };
}
