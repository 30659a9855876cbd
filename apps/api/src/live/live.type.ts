import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { Channel, DeliveryEventType, NotificationStatus } from "@notify/db";

@ObjectType({ description: "A delivery event as it happens, with the notification it belongs to." })
export class LiveDeliveryEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => DeliveryEventType)
  type!: DeliveryEventType;

  @Field()
  source!: string;

  @Field()
  occurredAt!: Date;

  @Field(() => GraphQLJSONObject, { nullable: true })
  detail!: Record<string, unknown> | null;

  @Field(() => ID)
  notificationId!: string;

  @Field(() => Channel)
  channel!: Channel;

  @Field(() => NotificationStatus, { description: "The notification's status when the event was read." })
  status!: NotificationStatus;

  @Field({ description: "The recipient's externalId." })
  externalId!: string;

  @Field(() => String, { nullable: true })
  templateKey!: string | null;
}

@ObjectType({ description: "Jobs in one channel's queue, from BullMQ." })
export class QueueDepth {
  @Field(() => Channel)
  channel!: Channel;

  @Field(() => Int)
  waiting!: number;

  @Field(() => Int)
  active!: number;

  @Field(() => Int, { description: "Scheduled, retrying after backoff, or held by quiet hours / caps." })
  delayed!: number;

  @Field(() => Int, { description: "Jobs BullMQ gave up on (their notifications are DEAD or FAILED in Postgres)." })
  failed!: number;
}

@ObjectType()
export class StatusCount {
  @Field(() => NotificationStatus)
  status!: NotificationStatus;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "What one template's notifications came to." })
export class TemplateStats {
  @Field()
  key!: string;

  @Field(() => Int)
  total!: number;

  @Field(() => [StatusCount])
  byStatus!: StatusCount[];

  @Field(() => Int, { description: "Opened (email), from provider feedback." })
  opened!: number;

  @Field(() => Int, { description: "Clicked (email), from provider feedback." })
  clicked!: number;
}
