import { ArrayMaxSize, IsOptional, Length, Matches, ValidateNested } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType } from "type-graphql";
import type { Channel } from "@notify/db";
import { InputError } from "../errors.js";
import type { LocaleContent, TemplateContent, VariableType } from "./template-content.js";
import { TemplateVariableType } from "./template.type.js";

// Lengths and required fields are checked once, by the zod schema in template-content.ts, where the
// stored shape is defined; these types only give the API a typed, documented input.

@InputType()
export class EmailTemplateInput {
  @Field({ description: "Liquid; not escaped." })
  subject!: string;

  @Field(() => String, { nullable: true, description: "Liquid; every {{ output }} is HTML-escaped unless `| raw`." })
  html?: string;

  @Field(() => String, { nullable: true, description: "Liquid; the plain-text part, not escaped." })
  text?: string;
}

@InputType()
export class SmsTemplateInput {
  @Field({ description: "Liquid." })
  text!: string;
}

@InputType({ description: "iOS / Android push." })
export class PushTemplateInput {
  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => String, { nullable: true })
  body?: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Push data; each value is a Liquid string." })
  data?: Record<string, string>;
}

@InputType({ description: "Web push and in-app: title, body and a click-through URL." })
export class LinkTemplateInput {
  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => String, { nullable: true })
  body?: string;

  @Field(() => String, { nullable: true })
  url?: string;
}

@InputType({ description: "The content for one locale; give the channels the template supports." })
export class TemplateLocaleContentInput {
  @Field({ description: "BCP 47, e.g. en, pt-BR." })
  locale!: string;

  @Field(() => EmailTemplateInput, { nullable: true })
  email?: EmailTemplateInput;

  @Field(() => SmsTemplateInput, { nullable: true })
  sms?: SmsTemplateInput;

  @Field(() => PushTemplateInput, { nullable: true })
  iosPush?: PushTemplateInput;

  @Field(() => PushTemplateInput, { nullable: true })
  androidPush?: PushTemplateInput;

  @Field(() => LinkTemplateInput, { nullable: true })
  webPush?: LinkTemplateInput;

  @Field(() => LinkTemplateInput, { nullable: true })
  inApp?: LinkTemplateInput;
}

@InputType()
export class TemplateVariableInput {
  @Field()
  name!: string;

  @Field(() => TemplateVariableType)
  type!: VariableType;

  @Field({ defaultValue: true })
  required!: boolean;
}

@InputType()
export class CreateTemplateInput {
  @Field({ description: "Unique per app, e.g. order-shipped." })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: "key is 1-100 letters, digits, '.', '_' or '-'" })
  key!: string;

  @Field()
  @Length(1, 200)
  name!: string;

  @Field({ description: "e.g. marketing, account, security." })
  @Length(1, 64)
  category!: string;

  @Field({ defaultValue: "en" })
  @Length(2, 35)
  defaultLocale!: string;

  @Field(() => [TemplateLocaleContentInput])
  @ValidateNested()
  @ArrayMaxSize(100)
  content!: TemplateLocaleContentInput[];

  @Field(() => [TemplateVariableInput], { defaultValue: [] })
  @IsOptional()
  @ValidateNested()
  @ArrayMaxSize(100)
  variables!: TemplateVariableInput[];

  @Field({ defaultValue: false, description: "Whether client apps with a recipient token may send it (they can send nothing else)." })
  clientSendable!: boolean;
}

@InputType({ description: "The template's own settings (not its versioned content); omitted fields are kept." })
export class UpdateTemplateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  category?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Whether client apps with a recipient token may send it." })
  @IsOptional()
  clientSendable?: boolean | null;
}

const CHANNEL_FIELDS = {
  email: "EMAIL",
  sms: "SMS",
  iosPush: "IOS_PUSH",
  androidPush: "ANDROID_PUSH",
  webPush: "WEB_PUSH",
  inApp: "IN_APP",
} as const satisfies Record<Exclude<keyof TemplateLocaleContentInput, "locale">, Channel>;

/** The GraphQL list of locales → the stored `{ [locale]: { [CHANNEL]: … } }` map (validated by the service). */
export function toTemplateContent(locales: TemplateLocaleContentInput[]): TemplateContent {
  const content: Record<string, Record<string, unknown>> = {};
  for (const entry of locales) {
    if (Object.hasOwn(content, entry.locale)) throw new InputError("DUPLICATE_LOCALE", `content has locale ${entry.locale} twice`, "content");
    content[entry.locale] = Object.fromEntries(
      Object.entries(CHANNEL_FIELDS).flatMap(([field, channel]) => {
        const value = entry[field as keyof typeof CHANNEL_FIELDS];
        return value ? [[channel, withoutNulls(value)]] : [];
      }),
    );
  }
  return content as TemplateContent;
}

// GraphQL gives explicit nulls for omitted nullable fields in variables; the stored shape omits them.
function withoutNulls(value: object): LocaleContent[Channel] {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as never;
}
