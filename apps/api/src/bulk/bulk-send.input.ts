import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Min, ValidateNested } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType, Int } from "type-graphql";
import { Channel } from "@notify/db";
import { ContentInput } from "../notifications/send.input.js";

/** The most recipients one bulk call may name; bigger audiences are topics (broadcast). */
export const BULK_MAX_RECIPIENTS = 10_000;

@InputType({ description: "The template every recipient of a bulk send gets." })
export class BulkTemplateInput {
  @Field({ description: "The template's key." })
  @Length(1, 200)
  key!: string;

  @Field(() => Int, { nullable: true, description: "Pin a (once-)published version; default: the published version." })
  @IsOptional()
  @Min(1)
  version?: number;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Variables shared by every recipient; each recipient's data is merged over them." })
  @IsOptional()
  data?: Record<string, unknown>;
}

@InputType()
export class BulkRecipientInput {
  @Field({ description: "The recipient's externalId." })
  @Length(1, 200)
  externalId!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "This recipient's template variables, merged over template.data." })
  @IsOptional()
  data?: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: "Same meaning as sendNotification's idempotencyKey, per recipient." })
  @IsOptional()
  @Length(1, 255)
  idempotencyKey?: string;
}

@InputType()
export class SendBulkInput {
  @Field(() => [Channel])
  @ArrayMinSize(1, { message: "channels must name at least one channel" })
  @ArrayMaxSize(6)
  channels!: Channel[];

  @Field(() => BulkTemplateInput, { nullable: true, description: "Give template or content." })
  @IsOptional()
  @ValidateNested()
  template?: BulkTemplateInput | null;

  @Field(() => ContentInput, { nullable: true, description: "The same inline content for everyone." })
  @IsOptional()
  @ValidateNested()
  content?: ContentInput | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Key/value data passed to the device (push data)." })
  @IsOptional()
  data?: Record<string, unknown>;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  category?: string;

  @Field(() => [BulkRecipientInput], { description: `1 to ${BULK_MAX_RECIPIENTS} recipients.` })
  @ArrayMinSize(1, { message: "recipients must name at least one recipient" })
  @ArrayMaxSize(BULK_MAX_RECIPIENTS, { message: `recipients is limited to ${BULK_MAX_RECIPIENTS}; use a topic broadcast for larger audiences` })
  @ValidateNested()
  recipients!: BulkRecipientInput[];
}
