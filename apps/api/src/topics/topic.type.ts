import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { BroadcastStatus } from "@notify/db";

registerEnumType(BroadcastStatus, { name: "BroadcastStatus" });

@ObjectType({ description: "A named audience recipients subscribe to; broadcasts go to every subscriber." })
export class Topic {
  @Field()
  key!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class TopicSubscriptionChange {
  @Field()
  topicKey!: string;

  @Field(() => Int, { description: "Subscriptions created (or removed) by this call; existing ones are not counted again." })
  changed!: number;

  @Field(() => Int)
  subscriberCount!: number;
}

@ObjectType({ description: "One send to every subscriber of a topic, fanned out by the workers in pages." })
export class Broadcast {
  @Field(() => ID)
  id!: string;

  @Field()
  topicKey!: string;

  @Field(() => BroadcastStatus)
  status!: BroadcastStatus;

  @Field(() => Int, { description: "Notifications created so far." })
  created!: number;

  @Field(() => Int, { description: "Subscriber × channel pairs skipped for lack of a live contact point." })
  unreachable!: number;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}
