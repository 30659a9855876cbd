import { ApiScope } from "@notify/db";
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";

registerEnumType(ApiScope, {
  name: "ApiScope",
  description: "What an API key may call: SEND (sends and test sends), SCHEDULE, TEMPLATES (read and write), RECIPIENTS (read and write), HISTORY (read history, replay dead letters), ADMIN (everything).",
});

@ObjectType({ description: "An API key of this app; its secret is never shown again after creation." })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field({ description: "Sent as X-App-Key (or the Basic auth user)." })
  appKey!: string;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => [ApiScope])
  scopes!: ApiScope[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "Last successful authentication, to the minute." })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "Set by a rotation: the key stops working then." })
  expiresAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The console user who created it, if one did." })
  createdBy!: string | null;
}

@ObjectType({ description: "A new key with its secret: shown only in this answer." })
export class CreatedApiKey {
  @Field(() => ApiKey)
  key!: ApiKey;

  @Field({ description: "Sent as X-App-Secret. Only its hash is stored; store it now." })
  appSecret!: string;
}

@ObjectType()
export class RotatedApiKey {
  @Field(() => CreatedApiKey, { description: "The successor, with its secret (shown once)." })
  created!: CreatedApiKey;

  @Field(() => ApiKey, { description: "The old key, now with expiresAt set to the end of the overlap." })
  previous!: ApiKey;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { nullable: true })
  label?: string | null;

  @Field(() => [ApiScope])
  scopes!: ApiScope[];
}
