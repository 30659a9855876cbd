import { Role } from "@notify/db";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { ApiScope } from "@notify/db";
import { Permission } from "../auth/permissions.js";

registerEnumType(Role, {
  name: "Role",
  description: "A console user's role in one app: ADMIN (everything: users, API keys), EDITOR (templates, test sends), SUPPORT (recipients, preferences, resend, dead-letter replay), VIEWER (read only).",
});
registerEnumType(Permission, { name: "Permission", description: "What a root field needs; roles and API-key scopes grant these." });

@ObjectType({ description: "A console user's membership of this app." })
export class Member {
  @Field(() => ID)
  userId!: string;

  @Field()
  email!: string;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field({ description: "When they joined." })
  createdAt!: Date;
}

@ObjectType()
export class AppMembership {
  @Field(() => ID)
  appId!: string;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;
}

@ObjectType({ description: "Who is calling: a console user (role, apps for the switcher) or an API key (scopes)." })
export class Viewer {
  @Field({ description: "user or app (an API key)." })
  kind!: string;

  @Field(() => ID, { description: "The app this call acts in." })
  appId!: string;

  @Field()
  appName!: string;

  @Field(() => [Permission], { description: "What this caller may do in this app." })
  permissions!: Permission[];

  @Field(() => ID, { nullable: true })
  userId!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => Role, { nullable: true, description: "The user's role in this app." })
  role!: Role | null;

  @Field({ description: "May create apps and acts as ADMIN in every app." })
  platformAdmin!: boolean;

  @Field(() => [AppMembership], { description: "The apps this user belongs to (every app for a platform admin); empty for an API key." })
  apps!: AppMembership[];

  @Field(() => [ApiScope], { nullable: true, description: "The API key's scopes." })
  scopes!: ApiScope[] | null;
}

@ObjectType({ description: "An invitation not accepted yet; the console emails it." })
export class Invitation {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => Role)
  role!: Role;

  @Field()
  createdAt!: Date;

  @Field()
  expiresAt!: Date;
}

@ObjectType({ description: "Verified SSO users with an email at this domain may join with this role." })
export class AllowedDomain {
  @Field()
  domain!: string;

  @Field(() => Role)
  role!: Role;

  @Field()
  createdAt!: Date;
}
