import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "Why one recipient of a bulk send was refused; the same code/reason a single send would give." })
export class BulkSendError {
  @Field()
  code!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  field!: string | null;

  @Field()
  message!: string;
}

@ObjectType()
export class BulkSendResult {
  @Field(() => Int, { description: "Position in input.recipients." })
  index!: number;

  @Field()
  externalId!: string;

  @Field(() => [ID], { description: "One per channel, in the order the channels were given; empty when refused." })
  notificationIds!: string[];

  @Field({ description: "True when this recipient's idempotencyKey repeated an earlier send." })
  replayed!: boolean;

  @Field(() => BulkSendError, { nullable: true })
  error!: BulkSendError | null;
}

@ObjectType({ description: "Per-recipient outcome of a bulk send: refusals do not stop the others." })
export class BulkSendPayload {
  @Field(() => Int, { description: "Recipients whose notifications were created by this call." })
  accepted!: number;

  @Field(() => Int, { description: "Recipients answered from an earlier call with the same idempotencyKey." })
  replayed!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => [BulkSendResult], { description: "In input order." })
  results!: BulkSendResult[];
}
