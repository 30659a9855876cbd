import { Field, ID, ObjectType } from "type-graphql";
import { Channel } from "@notify/db";
import { RecipientVisible } from "../auth/principal-guard.js";

@ObjectType({ description: "Creates a notification for its recipient on every tick of a cron expression in a time zone." })
@RecipientVisible()
export class RecurringSchedule {
  @Field(() => ID)
  id!: string;

  @Field()
  cron!: string;

  @Field()
  timezone!: string;

  @Field(() => [Channel])
  channels!: Channel[];

  @Field(() => String, { nullable: true })
  category!: string | null;

  @Field({ description: "False once canceled." })
  active!: boolean;

  @Field({ description: "The next tick (UTC)." })
  nextRunAt!: Date;

  @Field(() => Date, { nullable: true })
  lastRunAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field({ description: "True when a recipient token (a client app) created it; such schedules fire at most hourly, at most 5 active per recipient." })
  createdByToken!: boolean;

  recipientId!: string;
}
