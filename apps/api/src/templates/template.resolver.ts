import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { listCost, PAGES, pageSize } from "../graphql/cost.js";
import { loadersFor } from "../graphql/loaders.js";
import { Channel } from "@notify/db";
import type { Context } from "../context.js";
import { Notification } from "../notifications/notification.type.js";
import { CreateTemplateInput, TemplateLocaleContentInput, TemplateVariableInput, toTemplateContent } from "./template.input.js";
import { Template, TemplatePreview, TemplateVersion } from "./template.type.js";

const plain = (variables: TemplateVariableInput[]) => variables.map((v) => ({ ...v }));

// The JSON columns (content, variables) were validated against the stored shape when written.
const typed = <T>(rows: Promise<unknown>) => rows as Promise<T>;

@Resolver(() => Template)
export class TemplateResolver {
  @Mutation(() => Template, { description: "Creates a template with version 1 as a draft; publish it to send it." })
  createTemplate(@Arg("input") input: CreateTemplateInput, @Ctx() ctx: Context): Promise<Template> {
    return ctx.services.templates.create(ctx.app.appId, { ...input, content: toTemplateContent(input.content), variables: plain(input.variables) });
  }

  @Mutation(() => TemplateVersion, {
    description: "Edits the draft, or creates a new draft version from the published one. Omitted arguments are kept.",
  })
  updateTemplateDraft(
    @Arg("key") key: string,
    @Arg("content", () => [TemplateLocaleContentInput], { nullable: true }) content: TemplateLocaleContentInput[] | undefined,
    @Arg("variables", () => [TemplateVariableInput], { nullable: true }) variables: TemplateVariableInput[] | undefined,
    @Ctx() ctx: Context,
  ): Promise<TemplateVersion> {
    return typed<TemplateVersion>(ctx.services.templates.updateDraft(ctx.app.appId, key, {
      content: content ? toTemplateContent(content) : undefined,
      variables: variables ? plain(variables) : undefined,
    }));
  }

  @Mutation(() => TemplateVersion, {
    description: "Makes a version (default: the draft) the one sends use; the previously published version is archived.",
  })
  publishTemplate(
    @Arg("key") key: string,
    @Arg("version", () => Int, { nullable: true }) version: number | undefined,
    @Ctx() ctx: Context,
  ): Promise<TemplateVersion> {
    return typed<TemplateVersion>(ctx.services.templates.publish(ctx.app.appId, key, version));
  }

  @Mutation(() => TemplateVersion, { description: "Creates a new draft copied from an earlier version." })
  restoreTemplateVersion(@Arg("key") key: string, @Arg("version", () => Int) version: number, @Ctx() ctx: Context): Promise<TemplateVersion> {
    return typed<TemplateVersion>(ctx.services.templates.restore(ctx.app.appId, key, version));
  }

  @Query(() => Template)
  template(@Arg("key") key: string, @Ctx() ctx: Context): Promise<Template> {
    return ctx.services.templates.get(ctx.app.appId, key);
  }

  @Query(() => [Template], { description: "By key; `first` at most 200 (default 50), then the next page `after` the last key.", complexity: listCost(PAGES.templates) })
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
  @FieldResolver(() => Template)
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
