import { IsOptional, Length, Max, Min, ValidateNested } from "class-validator";
import { Field, ID, InputType, Int } from "type-graphql";
import { Channel } from "@notify/db";

@InputType({ description: "Which dead letters: every field given must match; an empty filter matches all of the app's dead letters." })
export class DeadLetterFilter {
  @Field(() => Channel, { nullable: true })
  @IsOptional()
  channel?: Channel | null;

  @Field(() => String, { nullable: true, description: "The recipient's externalId." })
  @IsOptional()
  @Length(1, 255)
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: 'The provider\'s code for the last failed attempt, e.g. "429", "500", "timeout".' })
  @IsOptional()
  @Length(1, 100)
  errorCode?: string | null;

  @Field(() => String, { nullable: true, description: "Dead-lettered at or after this time (ISO 8601 with an offset or Z)." })
  @IsOptional()
  deadAfter?: string | null;

  @Field(() => String, { nullable: true, description: "Dead-lettered before this time (ISO 8601 with an offset or Z)." })
  @IsOptional()
  deadBefore?: string | null;
}

export const REPLAY_LIMIT_MAX = 10_000;

@InputType({ description: "Exactly one of id and filter." })
export class ReplayDeadLettersInput {
  @Field(() => ID, { nullable: true, description: "One dead letter, by notification id." })
  @IsOptional()
  id?: string | null;

  @Field(() => DeadLetterFilter, { nullable: true, description: "Every dead letter matching, oldest first, up to `limit`." })
  @IsOptional()
  @ValidateNested()
  filter?: DeadLetterFilter | null;

  @Field(() => Int, { nullable: true, description: `How many to replay in this call (1–${REPLAY_LIMIT_MAX}, default 1,000); \`remaining\` tells whether to call again.` })
  @IsOptional()
  @Min(1)
  @Max(REPLAY_LIMIT_MAX)
  limit?: number | null;
}
