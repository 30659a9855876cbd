import { Field, ObjectType, registerEnumType } from "type-graphql";
import { ChannelScope } from "@notify/db";
import { RecipientVisible } from "../auth/principal-guard.js";

registerEnumType(ChannelScope, { name: "ChannelScope", description: "A channel, or ALL for a rule that covers every channel." });

@ObjectType({
  description:
    'One opt-in/opt-out rule. channel ALL and category "*" are wildcards, so (ALL, "*") is a global opt-out; the most specific rule wins: (channel, category) > (channel, "*") > (ALL, category) > (ALL, "*").',
})
@RecipientVisible()
export class Preference {
  @Field(() => ChannelScope)
  channel!: ChannelScope;

  @Field({ description: 'A category key, or "*" for every category.' })
  category!: string;

  @Field()
  enabled!: boolean;

  @Field()
  updatedAt!: Date;
}

@ObjectType({ description: "A kind of notification recipients can opt out of, unless it is required." })
export class Category {
  @Field()
  key!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: "Required categories (e.g. security) are delivered whatever the recipient's preferences say." })
  required!: boolean;
}

@ObjectType({ description: "Non-urgent notifications are held until the window ends, in the recipient's time zone (UTC when unset)." })
@RecipientVisible()
export class QuietHours {
  @Field({ description: '"HH:MM", inclusive.' })
  start!: string;

  @Field({ description: '"HH:MM", exclusive; before start means the window wraps past midnight.' })
  end!: string;

  @Field({ description: "The IANA zone the times are read in." })
  timezone!: string;
}
