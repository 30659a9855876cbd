import { GraphQLJSONObject } from "graphql-scalars";
import { Authorized, Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { listCost, PAGES, pageSize } from "../graphql/cost.js";
import { loadersFor } from "../graphql/loaders.js";
import { Channel } from "@notify/db";
import type { Context } from "../context.js";
import { Notification } from "../notifications/notification.type.js";
import { CreateTemplateInput, TemplateLocaleContentInput, TemplateVariableInput, toTemplateContent, UpdateTemplateInput } from "./template.input.js";
import { Template, TemplatePreview, TemplateVersion } from "./template.type.js";

const plain = (variables: TemplateVariableInput[]) => variables.map((v) => ({ ...v }));

// The JSON columns (content, variables) were validated against the stored shape when written.
const typed = <T>(rows: Promise<unknown>) => rows as Promise<T>;

@Resolver(() => Template)
export class TemplateResolver {
  @Mutation(() => Template, { description: "Creates a template with version 1 as a draft; publish it to send it." })
  @Authorized(Permission.TEMPLATES_WRITE)
  async createTemplate(@Arg("input") input: CreateTemplateInput, @Ctx() ctx: Context): Promise<Template> {
    const template = await ctx.services.templates.create(ctx.app.appId, { ...input, content: toTemplateContent(input.content), variables: plain(input.variables) });
    await ctx.services.audit.recordFor(ctx, {
      action: "template.create",
      targetType: "template",
      targetId: template.key,
      summary: { after: { name: template.name, category: template.category, clientSendable: template.clientSendable, version: 1 } },
    });
    return template;
  }

  @Mutation(() => Template, { description: "Changes a template's name, category or whether recipient tokens may send it; omitted fields are kept." })
  @Authorized(Permission.TEMPLATES_WRITE)
  async updateTemplate(@Arg("key") key: string, @Arg("input") input: UpdateTemplateInput, @Ctx() ctx: Context): Promise<Template> {
    const { before, after } = await ctx.services.templates.updateSettings(ctx.app.appId, key, input);
    const fields = (["name", "category", "clientSendable"] as const).filter((f) => before[f] !== after[f]);
    await ctx.services.audit.recordFor(ctx, {
      action: "template.update",
      targetType: "template",
      targetId: key,
      summary: { before: Object.fromEntries(fields.map((f) => [f, before[f]])), after: Object.fromEntries(fields.map((f) => [f, after[f]])) },
    });
    return after;
  }

  @Mutation(() => TemplateVersion, {
    description: "Edits the draft, or creates a new draft version from the published one. Omitted arguments are kept.",
  })
  @Authorized(Permission.TEMPLATES_WRITE)
  async updateTemplateDraft(
    @Arg("key") key: string,
    @Arg("content", () => [TemplateLocaleContentInput], { nullable: true }) content: TemplateLocaleContentInput[] | undefined,
    @Arg("variables", () => [TemplateVariableInput], { nullable: true }) variables: TemplateVariableInput[] | undefined,
    @Ctx() ctx: Context,
  ): Promise<TemplateVersion> {
    const newest = await this.newestVersion(ctx, key);
    const draft = await ctx.services.templates.updateDraft(ctx.app.appId, key, {
      content: content ? toTemplateContent(content) : undefined,
      variables: variables ? plain(variables) : undefined,
    });
    await ctx.services.audit.recordFor(ctx, {
      action: "template.update_draft",
      targetType: "template",
      targetId: key,
      summary: {
        before: newest && { version: newest.version, state: newest.state },
        after: { version: draft.version, state: draft.state },
        changed: [...(content ? ["content"] : []), ...(variables ? ["variables"] : [])],
      },
    });
    return typed<TemplateVersion>(Promise.resolve(draft));
  }

  @Mutation(() => TemplateVersion, {
    description: "Makes a version (default: the draft) the one sends use; the previously published version is archived.",
  })
  @Authorized(Permission.TEMPLATES_WRITE)
  async publishTemplate(
    @Arg("key") key: string,
    @Arg("version", () => Int, { nullable: true }) version: number | undefined,
    @Ctx() ctx: Context,
  ): Promise<TemplateVersion> {
    const template = await ctx.services.templates.get(ctx.app.appId, key);
    const previous = template.publishedVersionId ? await ctx.services.templates.version(template.publishedVersionId) : null;
    const published = await ctx.services.templates.publish(ctx.app.appId, key, version);
    await ctx.services.audit.recordFor(ctx, {
      action: "template.publish",
      targetType: "template",
      targetId: key,
      summary: { before: { publishedVersion: previous?.version ?? null }, after: { publishedVersion: published.version } },
    });
    return typed<TemplateVersion>(Promise.resolve(published));
  }

  @Mutation(() => TemplateVersion, { description: "Creates a new draft copied from an earlier version." })
  @Authorized(Permission.TEMPLATES_WRITE)
  async restoreTemplateVersion(@Arg("key") key: string, @Arg("version", () => Int) version: number, @Ctx() ctx: Context): Promise<TemplateVersion> {
    const newest = await this.newestVersion(ctx, key);
    const draft = await ctx.services.templates.restore(ctx.app.appId, key, version);
    await ctx.services.audit.recordFor(ctx, {
      action: "template.restore",
      targetType: "template",
      targetId: key,
      summary: { restoredFrom: version, before: newest && { version: newest.version, state: newest.state }, after: { version: draft.version, state: draft.state } },
    });
    return typed<TemplateVersion>(Promise.resolve(draft));
  }

  /** The newest version before a change, for the audit row's "before". */
  private async newestVersion(ctx: Context, key: string) {
    const template = await ctx.services.templates.get(ctx.app.appId, key);
    return (await ctx.services.templates.versions(template.id))[0] ?? null;
  }

  @Query(() => Template)
  @Authorized(Permission.TEMPLATES_READ)
  template(@Arg("key") key: string, @Ctx() ctx: Context): Promise<Template> {
    return ctx.services.templates.get(ctx.app.appId, key);
  }

  @Query(() => [Template], { description: "By key; `first` at most 200 (default 50), then the next page `after` the last key.", complexity: listCost(PAGES.templates) })
  @Authorized(Permission.TEMPLATES_READ)
  templates(
    @Arg("category", () => String, { nullable: true }) category: string | undefined,
    @Arg("first", () => Int, { nullable: true }) first: number | undefined,
    @Arg("after", () => String, { nullable: true, description: "The key of the last template of the previous page." }) after: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<Template[]> {
    return ctx.services.templates.list(ctx.app.appId, category, { first: pageSize(first, PAGES.templates), after });
  }

  @Query(() => TemplatePreview, {
    description: "Renders any version (default: the newest, usually the draft) for one channel and locale. Sends and stores nothing.",
  })
  @Authorized(Permission.TEMPLATES_READ)
  previewTemplate(
    @Arg("key") key: string,
    @Arg("version", () => Int, { nullable: true }) version: number | undefined,
    @Arg("channel", () => Channel) channel: Channel,
    @Arg("locale", () => String, { nullable: true }) locale: string | undefined,
    @Arg("data", () => GraphQLJSONObject, { nullable: true }) data: Record<string, unknown> | undefined,
    @Ctx() ctx: Context,
  ): Promise<TemplatePreview> {
    return ctx.services.templates.preview(ctx.app.appId, key, { version, channel, locale, data });
  }

  @FieldResolver(() => [TemplateVersion], {
    description: "Newest first; `first` at most 100 (default 20), then the next page `before` the last version number.",
    complexity: listCost(PAGES.templateVersions),
  })
  versions(
    @Root() template: Template,
    @Arg("first", () => Int, { nullable: true }) first: number | undefined,
    @Arg("before", () => Int, { nullable: true, description: "Versions numbered below this one." }) before: number | undefined,
    @Ctx() ctx: Context,
  ): Promise<TemplateVersion[]> {
    return typed<TemplateVersion[]>(loadersFor(ctx).versions.load({ parentId: template.id, first: pageSize(first, PAGES.templateVersions), before }));
  }

  @FieldResolver(() => TemplateVersion, { nullable: true, description: "The version sends use; null until the first publish." })
  publishedVersion(@Root() template: Template, @Ctx() ctx: Context): Promise<TemplateVersion | null> {
    if (!template.publishedVersionId) return Promise.resolve(null);
    return typed<TemplateVersion | null>(loadersFor(ctx).version.load(template.publishedVersionId));
  }
}

@Resolver(() => TemplateVersion)
export class TemplateVersionResolver {
  // The way from one sent version to every version of the template, drafts included.
  @FieldResolver(() => Template)
  @Authorized(Permission.TEMPLATES_READ)
  async template(@Root() version: TemplateVersion, @Ctx() ctx: Context): Promise<Template> {
    const template = await loadersFor(ctx).template.load(version.templateId);
    if (!template) throw new Error(`template ${version.templateId} of version ${version.id} is gone`);
    return template;
  }
}

@Resolver(() => Notification)
export class NotificationTemplateResolver {
  @FieldResolver(() => TemplateVersion, { nullable: true, description: "The template version this notification was rendered from." })
  templateVersion(@Root() n: Notification & { templateVersionId?: string | null }, @Ctx() ctx: Context): Promise<TemplateVersion | null> {
    if (!n.templateVersionId) return Promise.resolve(null);
    return typed<TemplateVersion | null>(loadersFor(ctx).version.load(n.templateVersionId));
  }
}
