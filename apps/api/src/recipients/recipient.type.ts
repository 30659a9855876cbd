import { Field, ID, Int, ObjectType } from "type-graphql";
import { RecipientVisible } from "../auth/principal-guard.js";

@ObjectType({ description: "A person the calling service notifies, known by the service's own user id." })
@RecipientVisible()
export class Recipient {
  @Field(() => ID)
  id!: string;

  @Field({ description: "The calling service's own user id." })
  externalId!: string;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true, description: "Set when a provider reported the address dead." })
  emailInvalidReason!: string | null;

  @Field(() => String, { nullable: true, description: "E.164" })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  phoneInvalidReason!: string | null;

  @Field(() => String, { nullable: true })
  locale!: string | null;

  @Field(() => String, { nullable: true })
  timezone!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType({ description: "What deleteRecipient erased. The notifications stay, anonymous, for the stats." })
export class DeleteRecipientPayload {
  @Field({ description: "The externalId that was erased; it is free again (a later upsert starts afresh)." })
  externalId!: string;

  @Field(() => Int, { description: "Past notifications whose content, data and addresses were erased." })
  notificationsErased!: number;

  @Field(() => Int, { description: "Scheduled or queued notifications canceled first." })
  notificationsCanceled!: number;

  @Field(() => Int)
  devicesDeleted!: number;

  @Field(() => Int)
  preferencesDeleted!: number;

  @Field(() => Int)
  topicSubscriptionsDeleted!: number;

  @Field(() => Int)
  schedulesDeleted!: number;
}
