import type { Channel, Db } from "@notify/db";
import { InputError, NotFoundError } from "../errors.js";
import { localeChain, pickLocale } from "./locale.js";
import type { TemplateContent } from "./template-content.js";

/**
 * The channels the version a send would use (published, or the pinned once-published one) has
 * content for in a recipient's locale chain: what "every channel the recipient can receive"
 * narrows to for a template send. Refuses the same way rendering would: unknown template, never
 * published, unknown version.
 */
export async function templateChannels(
  db: Db,
  appId: string,
  ref: { key: string; version?: number | null },
  recipientLocale: string | null,
): Promise<Set<Channel>> {
  const template = await db.template.findUnique({ where: { appId_key: { appId, key: ref.key } } });
  if (!template) throw new NotFoundError("Template", ref.key);
  const version =
    ref.version != null
      ? await db.templateVersion.findUnique({ where: { templateId_version: { templateId: template.id, version: ref.version } } })
      : template.publishedVersionId
        ? await db.templateVersion.findUnique({ where: { id: template.publishedVersionId } })
        : null;
  if (ref.version != null && !version) throw new NotFoundError("TemplateVersion", `${ref.key} v${ref.version}`);
  if (!version?.publishedAt)
    throw new InputError(
      "TEMPLATE_NOT_PUBLISHED",
      ref.version != null ? `Version ${ref.version} of template ${JSON.stringify(ref.key)} was never published` : `Template ${JSON.stringify(ref.key)} has no published version`,
      ref.version != null ? "template.version" : "template.key",
    );
  const content = version.content as TemplateContent;
  const chain = localeChain(recipientLocale, template.defaultLocale);
  const locales = Object.keys(content);
  const channels = new Set<Channel>();
  for (const channel of Object.values(content).flatMap((c) => Object.keys(c)) as Channel[])
    if (pickLocale(chain, locales, (l) => !!content[l]?.[channel])) channels.add(channel);
  return channels;
}
