import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Channel, TemplateVersionState } from "@notify/db";
import { VARIABLE_TYPES, type VariableType } from "./template-content.js";

export const TemplateVariableType = Object.fromEntries(VARIABLE_TYPES.map((t) => [t, t])) as { [T in VariableType]: T };

registerEnumType(TemplateVersionState, { name: "TemplateVersionState" });
registerEnumType(TemplateVariableType, { name: "TemplateVariableType", description: "How a variable's value is checked at send time." });

@ObjectType()
export class TemplateVariable {
  @Field()
  name!: string;

  @Field(() => TemplateVariableType)
  type!: VariableType;

  @Field({ description: "A send without a required variable is rejected." })
  required!: boolean;
}

@ObjectType({ description: "One version of a template. Published and archived versions never change." })
export class TemplateVersion {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => TemplateVersionState)
  state!: TemplateVersionState;

  @Field(() => GraphQLJSONObject, {
    description: "{ [locale]: { EMAIL: {subject, html, text}, SMS: {text}, IOS_PUSH/ANDROID_PUSH: {title, body, data}, WEB_PUSH/IN_APP: {title, body, url} } }",
  })
  content!: Record<string, unknown>;

  @Field(() => [TemplateVariable])
  variables!: TemplateVariable[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "When it was last made the published version." })
  publishedAt!: Date | null;

  templateId!: string;
}

@ObjectType({ description: "Versioned, localized notification content, sent by key." })
export class Template {
  @Field(() => ID)
  id!: string;

  @Field({ description: "Unique per app; what sendNotification's template.key names." })
  key!: string;

  @Field()
  name!: string;

  @Field({ description: "Given to notifications sent from this template unless the send names one." })
  category!: string;

  @Field({ description: "The locale used when the recipient's locale and language have no content." })
  defaultLocale!: string;

  @Field({ description: "Client apps holding a recipient token may send this template (and only such templates, never inline content)." })
  clientSendable!: boolean;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  publishedVersionId!: string | null;
}

@ObjectType({ description: "A template rendered with sample data; nothing is sent or stored." })
export class TemplatePreview {
  @Field(() => Int)
  version!: number;

  @Field(() => Channel)
  channel!: Channel;

  @Field({ description: "The locale whose content was used, after fallback." })
  locale!: string;

  @Field(() => GraphQLJSONObject, { description: "The content a notification would store, e.g. {subject, body, html}." })
  content!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Rendered push data, for IOS_PUSH/ANDROID_PUSH." })
  data!: Record<string, string> | null;
}
