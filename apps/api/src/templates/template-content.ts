import type { Channel } from "@notify/db";
import { z } from "zod";

/**
 * The stored shape of a template version, validated here at the service boundary. The GraphQL
 * input types are converted into this shape; the database keeps it as JSON.
 */

export const VARIABLE_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATE", "URL", "EMAIL"] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

// Template sources may be longer than the rendered limits (loops, conditionals); what is finally
// sent is checked again by contentForChannel.
const source = (max: number) => z.string().max(max);
const titleOrBody = { message: "needs a title or a body", path: ["body"] };

const emailContent = z
  .strictObject({ subject: z.string().min(1).max(998), html: source(500_000).optional(), text: source(100_000).optional() })
  .refine((c) => !!c.html || !!c.text, { message: "an email needs html or text", path: ["text"] });
const smsContent = z.strictObject({ text: z.string().min(1).max(10_000) });
const pushContent = z
  .strictObject({
    title: source(256).optional(),
    body: source(4096).optional(),
    data: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, "push data keys are identifiers"), source(4096))
      .refine((d) => Object.keys(d).length <= 32, { message: "push data has at most 32 keys" })
      .optional(),
  })
  .refine((c) => !!c.title || !!c.body, titleOrBody);
const linkContent = z
  .strictObject({ title: source(256).optional(), body: source(4096).optional(), url: source(2048).optional() })
  .refine((c) => !!c.title || !!c.body, titleOrBody);

const channelShapes = {
  EMAIL: emailContent.optional(),
  SMS: smsContent.optional(),
  IOS_PUSH: pushContent.optional(),
  ANDROID_PUSH: pushContent.optional(),
  WEB_PUSH: linkContent.optional(),
  IN_APP: linkContent.optional(),
} satisfies Record<Channel, z.ZodType>;

const localeContent = z
  .strictObject(channelShapes)
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: "a locale needs content for at least one channel" });

export const templateContentSchema = z
  .record(z.string().min(2).max(35), localeContent)
  .refine((c) => Object.keys(c).length > 0, { message: "content needs at least one locale" })
  .refine((c) => Object.keys(c).length <= 100, { message: "content has at most 100 locales" });

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const templateVariablesSchema = z
  .array(
    z.strictObject({
      name: z.string().regex(VARIABLE_NAME, "variable names are identifiers (letters, digits, _)"),
      type: z.enum(VARIABLE_TYPES),
      required: z.boolean().default(true),
    }),
  )
  .max(100)
  .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, { message: "variable names must be unique" });

export type TemplateContent = z.infer<typeof templateContentSchema>;
export type LocaleContent = TemplateContent[string];
export type TemplateVariable = z.infer<typeof templateVariablesSchema>[number];
export type EmailContent = z.infer<typeof emailContent>;
export type PushContent = z.infer<typeof pushContent>;
export type LinkContent = z.infer<typeof linkContent>;
