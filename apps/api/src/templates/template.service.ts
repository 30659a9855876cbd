import { Prisma, type Channel, type Db, type Template, type TemplateVersion } from "@notify/db";
import { ConflictError, InputError, NotFoundError } from "../errors.js";
import { CompiledTemplateCache } from "./compiled-cache.js";
import { parseDefinition } from "./definition.js";
import { canonicalLocale } from "./locale.js";
import { renderChannel, type RenderedChannel } from "./render.js";
import type { TemplateVariable } from "./template-content.js";
import type { TemplateRefInput } from "./template-ref.input.js";
import { templateScope } from "./variables.js";

// Same bound as a send's own data.
const DATA_LIMIT = 16_384;

export interface NewTemplate {
  key: string;
  name: string;
  category: string;
  defaultLocale: string;
  /** Unvalidated: checked against the stored shape here. */
  content: unknown;
  variables: unknown;
}

export interface RenderedTemplate {
  templateVersionId: string;
  category: string;
  /** In the order the channels were asked for. */
  channels: RenderedChannel[];
}

export interface TemplatePreviewResult {
  version: number;
  channel: Channel;
  locale: string;
  content: Record<string, unknown>;
  data: Record<string, string> | null;
}

type Tx = Prisma.TransactionClient;

/**
 * Templates and their versions. A template has at most one DRAFT (always its newest version) and
 * at most one PUBLISHED version, the one sends use; a replaced published version is ARCHIVED and
 * stays readable, and notifications keep pointing at the version they were rendered from.
 */
export class TemplateService {
  private readonly compiled = new CompiledTemplateCache();

  constructor(private readonly db: Db) {}

  async create(appId: string, input: NewTemplate): Promise<Template> {
    const defaultLocale = canonicalLocale(input.defaultLocale, "defaultLocale");
    const { content, variables } = parseDefinition(input.content, input.variables, defaultLocale);
    try {
      return await this.db.template.create({
        data: {
          appId,
          key: input.key,
          name: input.name,
          category: input.category,
          defaultLocale,
          versions: { create: { version: 1, state: "DRAFT", ...json({ content, variables }) } },
        },
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
        throw new ConflictError("TEMPLATE_KEY_TAKEN", `A template with key ${JSON.stringify(input.key)} already exists`);
      throw err;
    }
  }

  /** Edits the draft, or starts a new draft from the published version; omitted parts are kept. */
  async updateDraft(appId: string, key: string, change: { content?: unknown; variables?: unknown }): Promise<TemplateVersion> {
    if (change.content === undefined && change.variables === undefined)
      throw new InputError("NOTHING_TO_UPDATE", "Give content, variables or both", "content");
    const { id } = await this.get(appId, key);
    return this.db.$transaction(async (tx) => {
      const template = await lock(tx, id);
      const latest = await newest(tx, id);
      const base =
        latest.state === "DRAFT" || !template.publishedVersionId
          ? latest
          : await tx.templateVersion.findUniqueOrThrow({ where: { id: template.publishedVersionId } });
      const { content, variables } = parseDefinition(change.content ?? base.content, change.variables ?? base.variables, template.defaultLocale);
      if (latest.state === "DRAFT") return tx.templateVersion.update({ where: { id: latest.id }, data: json({ content, variables }) });
      return tx.templateVersion.create({ data: { templateId: id, version: latest.version + 1, state: "DRAFT", ...json({ content, variables }) } });
    });
  }

  /** Makes a version (default: the draft) the one sends use; the previous one is archived. */
  async publish(appId: string, key: string, version?: number | null): Promise<TemplateVersion> {
    const { id } = await this.get(appId, key);
    return this.db.$transaction(async (tx) => {
      const template = await lock(tx, id);
      let target: TemplateVersion;
      if (version != null) {
        target = await versionNumbered(tx, template, version);
      } else {
        const latest = await newest(tx, id);
        if (latest.state !== "DRAFT")
          throw new InputError("NO_DRAFT", `Template ${JSON.stringify(key)} has no draft to publish; name a version to republish`, "version");
        target = latest;
      }
      if (target.id === template.publishedVersionId) return target;
      if (template.publishedVersionId)
        await tx.templateVersion.update({ where: { id: template.publishedVersionId }, data: { state: "ARCHIVED" } });
      await tx.template.update({ where: { id }, data: { publishedVersionId: target.id } });
      return tx.templateVersion.update({ where: { id: target.id }, data: { state: "PUBLISHED", publishedAt: new Date() } });
    });
  }

  /**
   * A new draft copied from an old version. An unpublished draft in the way is archived rather
   * than overwritten, so no edit is lost and there is still only one draft.
   */
  async restore(appId: string, key: string, version: number): Promise<TemplateVersion> {
    const { id } = await this.get(appId, key);
    return this.db.$transaction(async (tx) => {
      const template = await lock(tx, id);
      const source = await versionNumbered(tx, template, version);
      const latest = await newest(tx, id);
      if (latest.state === "DRAFT") {
        if (latest.id === source.id) return latest;
        await tx.templateVersion.update({ where: { id: latest.id }, data: { state: "ARCHIVED" } });
      }
      return tx.templateVersion.create({
        data: {
          templateId: id,
          version: latest.version + 1,
          state: "DRAFT",
          content: source.content as Prisma.InputJsonValue,
          variables: source.variables as Prisma.InputJsonValue,
        },
      });
    });
  }

  async get(appId: string, key: string): Promise<Template> {
    const template = await this.db.template.findUnique({ where: { appId_key: { appId, key } } });
    if (!template) throw new NotFoundError("Template", key);
    return template;
  }

  /** By key, a page at a time: `after` is the last key of the previous page. */
  list(appId: string, category: string | null | undefined, { first, after }: { first: number; after?: string | null }): Promise<Template[]> {
    return this.db.template.findMany({
      where: { appId, ...(category ? { category } : {}), ...(after != null ? { key: { gt: after } } : {}) },
      orderBy: { key: "asc" },
      take: first,
    });
  }

  /** Newest first. */
  versions(templateId: string): Promise<TemplateVersion[]> {
    return this.db.templateVersion.findMany({ where: { templateId }, orderBy: { version: "desc" } });
  }

  version(id: string): Promise<TemplateVersion | null> {
    return this.db.templateVersion.findUnique({ where: { id } });
  }

  templateOf(version: Pick<TemplateVersion, "templateId">): Promise<Template> {
    return this.db.template.findUniqueOrThrow({ where: { id: version.templateId } });
  }

  /** Renders any version (default: the newest, so usually the draft); reads only. */
  async preview(
    appId: string,
    key: string,
    req: { version?: number | null; channel: Channel; locale?: string | null; data?: Record<string, unknown> | null },
  ): Promise<TemplatePreviewResult> {
    const template = await this.get(appId, key);
    const version = req.version != null ? await versionNumbered(this.db, template, req.version) : await newest(this.db, template.id);
    const locale = req.locale ? canonicalLocale(req.locale, "locale") : null;
    const scope = templateScope(version.variables as TemplateVariable[], req.data, "data");
    const rendered = renderChannel(req.channel, {
      compiled: this.compiled.get(version),
      defaultLocale: template.defaultLocale,
      locale,
      scope,
      field: "data",
      channelField: "channel",
    });
    return { version: version.version, channel: req.channel, locale: rendered.locale, content: rendered.content, data: rendered.data ?? null };
  }

  /**
   * What a send stores per channel: the published version (or a pinned, once-published one)
   * rendered in the recipient's locale. Throws, writing nothing, on any problem.
   */
  async renderForSend(
    appId: string,
    ref: TemplateRefInput,
    channels: Channel[],
    recipientLocale: string | null,
    pushData: Record<string, unknown> | undefined,
  ): Promise<RenderedTemplate> {
    const prepared = await this.prepareForSend(appId, ref);
    return prepared.render(channels, recipientLocale, ref.data, pushData, "template.data");
  }

  /**
   * Resolves the version to send once; `render` then runs per recipient without a query (bulk
   * sends and broadcasts render thousands of times from one template).
   */
  async prepareForSend(appId: string, ref: Pick<TemplateRefInput, "key" | "version">): Promise<PreparedTemplate> {
    const template = await this.get(appId, ref.key);
    let version: TemplateVersion;
    if (ref.version != null) {
      version = await versionNumbered(this.db, template, ref.version);
      if (!version.publishedAt)
        throw new InputError("TEMPLATE_NOT_PUBLISHED", `Version ${ref.version} of template ${JSON.stringify(ref.key)} was never published`, "template.version");
    } else {
      if (!template.publishedVersionId)
        throw new InputError("TEMPLATE_NOT_PUBLISHED", `Template ${JSON.stringify(ref.key)} has no published version`, "template.key");
      version = await this.db.templateVersion.findUniqueOrThrow({ where: { id: template.publishedVersionId } });
    }
    const compiled = this.compiled.get(version);
    return {
      templateVersionId: version.id,
      category: template.category,
      defaultLocale: template.defaultLocale,
      locales: Object.keys(compiled),
      render: (channels, locale, data, pushData, field) => {
        if (data && Buffer.byteLength(JSON.stringify(data)) > DATA_LIMIT)
          throw new InputError("PAYLOAD_TOO_LARGE", `template data is limited to ${DATA_LIMIT} bytes of JSON`, field);
        const scope = templateScope(version.variables as TemplateVariable[], data, field);
        return {
          templateVersionId: version.id,
          category: template.category,
          channels: channels.map((channel) => renderChannel(channel, { compiled, defaultLocale: template.defaultLocale, locale, scope, pushData, field })),
        };
      },
    };
  }
}

export interface PreparedTemplate {
  templateVersionId: string;
  category: string;
  defaultLocale: string;
  /** The locales the version has content for. */
  locales: string[];
  render(
    channels: Channel[],
    locale: string | null,
    data: Record<string, unknown> | null | undefined,
    pushData: Record<string, unknown> | undefined,
    field: string,
  ): RenderedTemplate;
}

function json(def: { content: unknown; variables: unknown }): { content: Prisma.InputJsonValue; variables: Prisma.InputJsonValue } {
  return def as { content: Prisma.InputJsonValue; variables: Prisma.InputJsonValue };
}

/** Serializes changes to one template's versions (row lock until commit). */
function lock(tx: Tx, templateId: string): Promise<Template> {
  return tx.template.update({ where: { id: templateId }, data: { updatedAt: new Date() } });
}

function newest(db: Tx | Db, templateId: string): Promise<TemplateVersion> {
  return db.templateVersion.findFirstOrThrow({ where: { templateId }, orderBy: { version: "desc" } });
}

async function versionNumbered(db: Tx | Db, template: Template, version: number): Promise<TemplateVersion> {
  const found = await db.templateVersion.findUnique({ where: { templateId_version: { templateId: template.id, version } } });
  if (!found) throw new NotFoundError("TemplateVersion", `${template.key} v${version}`);
  return found;
}
