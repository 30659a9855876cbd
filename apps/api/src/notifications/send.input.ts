import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType, Int, registerEnumType } from "type-graphql";
import { Channel } from "@notify/db";
import { TemplateRefInput } from "../templates/template-ref.input.js";
import { SendAtLocalInput } from "./schedule.input.js";

/** How hard the push services should try to wake the device; the values are FCM's names. */
export enum PushPriority {
  HIGH = "high",
  NORMAL = "normal",
}
registerEnumType(PushPriority, {
  name: "PushPriority",
  description: "HIGH: deliver now, waking the device (APNs priority 10, FCM high, Web Push urgency high). NORMAL: the device may batch it to save power (APNs 5, FCM normal).",
});

/** FCM keeps a message at most 28 days; APNs and Web Push services have their own, shorter caps. */
export const MAX_PUSH_TTL_SECONDS = 28 * 24 * 3600;

@InputType({ description: "Inline content; each channel uses the fields it understands." })
export class ContentInput {
  @Field(() => String, { nullable: true, description: "Email subject." })
  @IsOptional()
  @MaxLength(998)
  subject?: string;

  @Field(() => String, { nullable: true, description: "Push / web push title." })
  @IsOptional()
  @MaxLength(256)
  title?: string;

  @Field(() => String, { nullable: true, description: "Plain text: SMS text, push body, email text part." })
  @IsOptional()
  @MaxLength(100_000)
  body?: string;

  @Field(() => String, { nullable: true, description: "Email HTML part." })
  @IsOptional()
  @MaxLength(500_000)
  html?: string;

  @Field(() => String, { nullable: true, description: "Web push / push click-through URL." })
  @IsOptional()
  @MaxLength(2048)
  url?: string;

  @Field(() => Int, { nullable: true, description: "iOS badge count." })
  @IsOptional()
  badge?: number;

  @Field(() => String, { nullable: true, description: "iOS/Android sound name." })
  @IsOptional()
  @MaxLength(64)
  sound?: string;

  @Field(() => PushPriority, { nullable: true, description: "Push priority: HIGH when absent for iOS and Android, normal urgency for Web Push." })
  @IsOptional()
  priority?: PushPriority;

  @Field(() => Int, {
    nullable: true,
    description: "Push time to live in seconds from acceptance: the push services drop it if the device stays unreachable that long. 0 = now or never.",
  })
  @IsOptional()
  @Min(0)
  @Max(MAX_PUSH_TTL_SECONDS)
  ttlSeconds?: number;

  @Field(() => String, {
    nullable: true,
    description: "Pushes with the same key replace each other on the device and while waiting (apns-collapse-id, FCM collapse_key, Web Push Topic).",
  })
  @IsOptional()
  @Length(1, 64)
  collapseKey?: string;
}

@InputType()
export class SendNotificationInput {
  @Field({ description: "The recipient's externalId." })
  @Length(1, 200)
  externalId!: string;

  @Field(() => [Channel], {
    nullable: true,
    description:
      "Default: every channel the recipient can receive (a live contact point, and content for it), IN_APP left out of scheduled sends.",
  })
  @IsOptional()
  @ArrayMinSize(1, { message: "channels must name at least one channel (or be left out for every channel the recipient can receive)" })
  @ArrayMaxSize(6)
  channels?: Channel[] | null;

  @Field(() => ContentInput, { nullable: true, description: "Inline content. Give either content or template." })
  @IsOptional()
  @ValidateNested()
  content?: ContentInput | null;

  @Field(() => TemplateRefInput, { nullable: true, description: "A published template, rendered per channel in the recipient's locale." })
  @IsOptional()
  @ValidateNested()
  template?: TemplateRefInput | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Key/value data passed to the device (push data)." })
  @IsOptional()
  data?: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: "e.g. marketing, account, security." })
  @IsOptional()
  @Length(1, 64)
  category?: string;

  @Field({ defaultValue: false, description: "Urgent notifications are not held by the recipient's quiet hours." })
  urgent!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "Repeating a call with the same key within 24 h returns the first call's notifications.",
  })
  @IsOptional()
  @Length(1, 255)
  idempotencyKey?: string;

  @Field(() => String, {
    nullable: true,
    description: "Deliver at this time instead of now: ISO 8601 with an offset or Z (e.g. 2026-12-24T09:00:00+09:00), at most 365 days ahead.",
  })
  @IsOptional()
  sendAt?: string | null;

  @Field(() => SendAtLocalInput, { nullable: true, description: "Deliver at this wall-clock time in the recipient's timezone. Not with sendAt." })
  @IsOptional()
  sendAtLocal?: SendAtLocalInput | null;
}
