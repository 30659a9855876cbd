import { Field, ID, ObjectType } from "type-graphql";

@ObjectType({ description: "A person the calling service notifies, known by the service's own user id." })
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
