import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { AttemptStatus, Channel, DeliveryEventType, NotificationStatus } from "@notify/db";
import { RecipientVisible } from "../auth/principal-guard.js";

registerEnumType(Channel, { name: "Channel" });
registerEnumType(NotificationStatus, { name: "NotificationStatus" });
registerEnumType(AttemptStatus, { name: "AttemptStatus" });
registerEnumType(DeliveryEventType, { name: "DeliveryEventType" });

@ObjectType({ description: "One hand-off of a notification to a provider." })
@RecipientVisible()
export class DeliveryAttempt {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  attemptNumber!: number;

  @Field()
  provider!: string;

  @Field({ description: "Address, phone number or device token it went to." })
  target!: string;

  @Field(() => AttemptStatus)
  status!: AttemptStatus;

  @Field(() => String, { nullable: true })
  providerMessageId!: string | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field()
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType({ description: "A point on a notification's timeline, from the platform or a provider." })
@RecipientVisible()
export class DeliveryEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => DeliveryEventType)
  type!: DeliveryEventType;

  @Field({ description: '"platform", or the provider that reported it.' })
  source!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  detail!: Record<string, unknown> | null;

  @Field()
  occurredAt!: Date;
}

@ObjectType({ description: "One notification to one recipient on one channel." })
@RecipientVisible()
export class Notification {
  @Field(() => ID)
  id!: string;

  @Field(() => Channel)
  channel!: Channel;

  @Field(() => NotificationStatus)
  status!: NotificationStatus;

  @Field(() => String, { nullable: true, description: "Why it was skipped, failed or dead-lettered." })
  statusReason!: string | null;

  @Field(() => String, { nullable: true })
  category!: string | null;

  @Field(() => GraphQLJSONObject, { description: "The content as rendered for this channel." })
  content!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { nullable: true })
  data!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field(() => Date, { nullable: true })
  scheduledAt!: Date | null;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => String, { nullable: true, description: 'The provider\'s code for the last failed attempt, e.g. "429", "timeout".' })
  lastErrorCode!: string | null;

  @Field(() => Date, { nullable: true, description: "When it was dead-lettered; null unless DEAD." })
  deadLetteredAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When it was last replayed from the dead letters." })
  replayedAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  sentAt!: Date | null;

  recipientId!: string;
}

@ObjectType()
@RecipientVisible()
export class SendNotificationPayload {
  @Field(() => [Notification], { description: "One per channel, in the order the channels were given." })
  notifications!: Notification[];

  @Field({ description: "True when this call repeated an earlier one with the same idempotency key." })
  replayed!: boolean;
}
