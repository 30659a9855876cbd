import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, MaxLength, ValidateNested } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType, Int } from "type-graphql";
import { Channel } from "@notify/db";
import { TemplateRefInput } from "../templates/template-ref.input.js";
import { SendAtLocalInput } from "./schedule.input.js";

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
