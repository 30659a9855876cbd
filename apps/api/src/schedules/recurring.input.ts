import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, ValidateNested } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType } from "type-graphql";
import { Channel } from "@notify/db";
import { ContentInput } from "../notifications/send.input.js";
import { TemplateRefInput } from "../templates/template-ref.input.js";

@InputType({ description: "The send repeated on every tick; rendered once, when the schedule is created." })
export class RecurringRequestInput {
  @Field(() => [Channel])
  @ArrayMinSize(1, { message: "channels must name at least one channel" })
  @ArrayMaxSize(6)
  channels!: Channel[];

  @Field(() => ContentInput, { nullable: true, description: "Inline content. Give either content or template." })
  @IsOptional()
  @ValidateNested()
  content?: ContentInput | null;

  @Field(() => TemplateRefInput, { nullable: true, description: "A published template; the version current at creation is kept." })
  @IsOptional()
  @ValidateNested()
  template?: TemplateRefInput | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @IsOptional()
  data?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  category?: string | null;
}

@InputType()
export class CreateRecurringScheduleInput {
  @Field({ description: "The recipient's externalId." })
  @Length(1, 200)
  externalId!: string;

  @Field({
    description:
      'Cron expression: 5 fields (minute hour day-of-month month day-of-week, e.g. "0 9 * * MON-FRI") or 6 with seconds first.',
  })
  @Length(1, 200)
  cron!: string;

  @Field({ description: 'IANA time zone the cron expression is read in, e.g. "Asia/Seoul".' })
  @Length(1, 64)
  timezone!: string;

  @Field(() => RecurringRequestInput)
  @ValidateNested()
  request!: RecurringRequestInput;
}
