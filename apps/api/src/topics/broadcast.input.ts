import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, ValidateNested } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType } from "type-graphql";
import { Channel } from "@notify/db";
import { BulkTemplateInput } from "../bulk/bulk-send.input.js";
import { ContentInput } from "../notifications/send.input.js";

@InputType()
export class SendBroadcastInput {
  @Field()
  @Length(1, 200)
  topicKey!: string;

  @Field(() => [Channel], { description: "Each subscriber gets the channels among these they can be reached on." })
  @ArrayMinSize(1, { message: "channels must name at least one channel" })
  @ArrayMaxSize(6)
  channels!: Channel[];

  @Field(() => BulkTemplateInput, { nullable: true, description: "Rendered once per template locale; each subscriber gets their locale's variant." })
  @IsOptional()
  @ValidateNested()
  template?: BulkTemplateInput | null;

  @Field(() => ContentInput, { nullable: true })
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

  @Field(() => String, { nullable: true, description: "Repeating the call with the same key returns the first broadcast." })
  @IsOptional()
  @Length(1, 255)
  idempotencyKey?: string;
}
