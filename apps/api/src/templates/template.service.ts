import { Prisma, type Channel, type Db, type Template, type TemplateVersion } from "@notify/db";
import { ApiError, ConflictError, InputError, NotFoundError } from "../errors.js";
import { CompiledTemplateCache } from "./compiled-cache.js";
import { parseDefinition, sourceSize, type TemplateDefinition } from "./definition.js";
import { canonicalLocale } from "./locale.js";
import type { RenderedChannel } from "./render.js";
import type { RenderJob } from "./render-job.js";
import { TemplateRenderer, type RenderSource } from "./renderer.js";
import { sampleScope } from "./sample-scope.js";
import type { TemplateContent, TemplateVariable } from "./template-content.js";
import type { TemplateRefInput } from "./template-ref.input.js";
import { templateScope } from "./variables.js";

// Same bound as a send's own data.
const DATA_LIMIT = 16_384;
/** A draft with more source than this is parsed for previews by the render pool, not on the event loop. */
const IN_PROCESS_PARSE_CHARS = 20_000;

export interface NewTemplate {
  key: string;
  name: string;
  category: string;
  defaultLocale: string;
  /** Unvalidated: checked against the stored shape here. */
  content: unknown;
  variables: unknown;
  clientSendable?: boolean;
}

export interface TemplateSettings {
  name?: string | null;
  category?: string | null;
  clientSendable?: boolean | null;
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

  constructor(
    private readonly db: Db,
    private readonly renderer = new TemplateRenderer(),
  ) {}

  async create(appId: string, input: NewTemplate): Promise<Template> {
    const defaultLocale = canonicalLocale(input.defaultLocale, "defaultLocale");
    const definition = parseDefinition(input.content, input.variables, defaultLocale);
    await this.assertAffordable(appId, definition, defaultLocale);
    const { content, variables } = definition;
    try {
      return await this.db.template.create({
        data: {
          appId,
          key: input.key,
          name: input.name,
          category: input.category,
          defaultLocale,
          clientSendable: input.clientSendable ?? false,
          versions: { create: { version: 1, state: "DRAFT", ...json({ content, variables }) } },
        },
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
        throw new ConflictError("TEMPLATE_KEY_TAKEN", `A template with key ${JSON.stringify(input.key)} already exists`);
      throw err;
    }
  }

  /** Changes the template's own settings; returns it before and after (for the audit log). */
  async updateSettings(appId: string, key: string, change: TemplateSettings): Promise<{ before: Template; after: Template }> {
    const data = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== null && v !== undefined));
    if (!Object.keys(data).length) throw new InputError("NOTHING_TO_UPDATE", "Give name, category or clientSendable", "input");
    const before = await this.get(appId, key);
    const after = await this.db.template.update({ where: { id: before.id }, data });
    return { before, after };
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
      const definition = parseDefinition(change.content ?? base.content, change.variables ?? base.variables, template.defaultLocale);
      await this.assertAffordable(appId, definition, template.defaultLocale);
      const { content, variables } = definition;
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
      // Versions saved before render budgets existed were never tried; a published one must fit.
      await this.assertAffordable(
        appId,
        { content: target.content as TemplateContent, variables: target.variables as TemplateVariable[], compiled: this.compiled.get(target) },
        template.defaultLocale,
      );
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
    const [rendered] = await this.renderer.renderOne(this.source(version, template), {
      channels: [req.channel],
      locale,
      scope,
      field: "data",
      channelField: "channel",
    });
    return { version: version.version, channel: req.channel, locale: rendered!.locale, content: rendered!.content, data: rendered!.data ?? null };
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
    // Only published versions get here, so the source is always parsed (and cached) in process.
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
    const source = this.source(version, template);
    const job = (r: SendRender): RenderJob => {
      if (r.data && Buffer.byteLength(JSON.stringify(r.data)) > DATA_LIMIT)
        throw new InputError("PAYLOAD_TOO_LARGE", `template data is limited to ${DATA_LIMIT} bytes of JSON`, r.field);
      const scope = templateScope(version.variables as TemplateVariable[], r.data, r.field);
      return { channels: r.channels, locale: r.locale, scope, pushData: r.pushData, field: r.field };
    };
    const rendered = (channels: RenderedChannel[]): RenderedTemplate => ({ templateVersionId: version.id, category: template.category, channels });
    return {
      templateVersionId: version.id,
      category: template.category,
      defaultLocale: template.defaultLocale,
      locales: Object.keys(source.compiled!),
      render: async (channels, locale, data, pushData, field) =>
        rendered(await this.renderer.renderOne(source, job({ channels, locale, data, pushData, field }))),
      renderEach: async (items, requestField) => {
        // Bad data is that item's own error and costs no render.
        const jobs: (RenderJob | ApiError)[] = items.map((item) => {
          try {
            return job(item);
          } catch (err) {
            if (err instanceof ApiError) return err;
            throw err;
          }
        });
        const valid = jobs.filter((j): j is RenderJob => !(j instanceof ApiError));
        const results = await this.renderer.renderMany(source, valid, requestField);
        let next = 0;
        return jobs.map((j) => {
          if (j instanceof ApiError) return j;
          const r = results[next++]!;
          return r instanceof ApiError ? r : rendered(r);
        });
      },
    };
  }

  private source(version: TemplateVersion, template: Template): RenderSource {
    const content = version.content as TemplateContent;
    const draft = version.state === "DRAFT";
    return {
      tenant: template.appId,
      cacheKey: draft ? null : version.id,
      content,
      // Drafts are parsed on every preview: a large one only in the pool. Published versions
      // are parsed once per process and cached.
      ...(draft && sourceSize(content).chars > IN_PROCESS_PARSE_CHARS ? {} : { compiled: this.compiled.get(version) }),
      defaultLocale: template.defaultLocale,
    };
  }

  /**
   * Renders every locale of a version with sample values for its variables, under the budget a
   * send has: a template whose own loops exceed the budget is refused when it is saved or
   * published, not at its first send. Only the budget is judged here; data-dependent errors
   * (a sample value a filter dislikes) are left to previews and sends.
   */
  private async assertAffordable(appId: string, definition: TemplateDefinition, defaultLocale: string): Promise<void> {
    const scope = sampleScope(definition.variables);
    const locales = Object.keys(definition.compiled);
    const jobs: RenderJob[] = locales.map((locale) => ({
      channels: Object.keys(definition.compiled[locale]!) as Channel[],
      locale,
      scope,
      field: "content",
    }));
    const source: RenderSource = { tenant: appId, cacheKey: null, content: definition.content, compiled: definition.compiled, defaultLocale };
    const results = await this.renderer.renderMany(source, jobs, "content");
    for (const r of results)
      if (r instanceof ApiError && r.extensions.reason === "TEMPLATE_TOO_EXPENSIVE")
        throw new InputError("TEMPLATE_TOO_EXPENSIVE", `${r.message} (rendered with sample values for the variables)`, "content");
  }

  close(): Promise<void> {
    return this.renderer.close();
  }
}

/** One render of a prepared template: its channels in one locale, with one item's data. */
export interface SendRender {
  channels: Channel[];
  locale: string | null;
  data: Record<string, unknown> | null | undefined;
  pushData: Record<string, unknown> | undefined;
  /** Where this item's problems are reported, e.g. "recipients[3].data". */
  field: string;
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
  ): Promise<RenderedTemplate>;
  /**
   * Many renders under one request cap (bulk recipients, broadcast locales), batched into few
   * pool tasks. An item's problem is its result; exceeding the request's cap throws.
   */
  renderEach(items: SendRender[], requestField: string): Promise<(RenderedTemplate | ApiError)[]>;
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
