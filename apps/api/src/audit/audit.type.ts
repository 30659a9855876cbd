import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType({ description: "One append-only audit row: who did what to which target, from where." })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'e.g. "template.publish", "recipient.delete", "auth.sign_in".' })
  action!: string;

  @Field({ description: '"user" (console), "api_key", "recipient_token" or "system".' })
  actorType!: string;

  @Field(() => String, { nullable: true, description: "The user's id, the API key's id or the token's id." })
  actorId!: string | null;

  @Field(() => String, { nullable: true, description: "The user's email or the key's appKey." })
  actorLabel!: string | null;

  @Field(() => String, { nullable: true })
  targetType!: string | null;

  @Field(() => String, { nullable: true })
  targetId!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Before/after at a glance; never secrets or message content." })
  summary!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: "The caller's network address." })
  sourceIp!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class AuditLogPage {
  @Field(() => [AuditEntry], { description: "Newest first." })
  entries!: AuditEntry[];

  @Field(() => String, { nullable: true, description: "Pass as `after` for the next page; null on the last page." })
  nextCursor!: string | null;
}
