import DataLoader from "dataloader";
import { Prisma, type Db, type DeliveryAttempt, type DeliveryEvent, type Device, type Recipient, type Template, type TemplateVersion } from "@notify/db";

/**
 * Batched, per-operation reads of nested fields: every `template`, `versions`, `recipient`…
 * asked for at one level of a response is one query, whatever the number of parents, and a
 * row asked for twice is read once. Without them `template{versions{template{versions…}}}`
 * made one query per node, exponentially many in the depth.
 */
export interface Loaders {
  template: DataLoader<string, Template | null>;
  version: DataLoader<string, TemplateVersion | null>;
  recipient: DataLoader<string, Recipient | null>;
  /** key: templateId, the page size and the version to start below (newest first). */
  versions: DataLoader<PageKey<number>, TemplateVersion[], string>;
  devices: DataLoader<PageKey, Device[], string>;
  attempts: DataLoader<PageKey, DeliveryAttempt[], string>;
  events: DataLoader<PageKey, DeliveryEvent[], string>;
}

export interface PageKey<C = never> {
  parentId: string;
  first: number;
  /** An exclusive cursor, where the edge has one. */
  before?: C | null;
}

// One set per context object: an HTTP request, or one graphql-ws operation (server.ts gives
// each its own), so nothing cached outlives the operation that read it.
const perContext = new WeakMap<object, Loaders>();

export function loadersFor(ctx: { db: Db }): Loaders {
  let loaders = perContext.get(ctx);
  if (!loaders) perContext.set(ctx, (loaders = createLoaders(ctx.db)));
  return loaders;
}

function createLoaders(db: Db): Loaders {
  return {
    template: byId((ids) => db.template.findMany({ where: { id: { in: ids } } })),
    version: byId((ids) => db.templateVersion.findMany({ where: { id: { in: ids } } })),
    recipient: byId((ids) => db.recipient.findMany({ where: { id: { in: ids } } })),
    versions: paged(db, "TemplateVersion", "templateId", Prisma.sql`version DESC`, (ids) => db.templateVersion.findMany({ where: { id: { in: ids } } }), (before) =>
      before == null ? Prisma.empty : Prisma.sql`AND version < ${before}`,
    ),
    devices: paged(db, "Device", "recipientId", Prisma.sql`"createdAt" ASC, id ASC`, (ids) => db.device.findMany({ where: { id: { in: ids } } })),
    attempts: paged(db, "DeliveryAttempt", "notificationId", Prisma.sql`"attemptNumber" ASC, "startedAt" ASC`, (ids) =>
      db.deliveryAttempt.findMany({ where: { id: { in: ids } } }),
    ),
    events: paged(db, "DeliveryEvent", "notificationId", Prisma.sql`"occurredAt" ASC, id ASC`, (ids) => db.deliveryEvent.findMany({ where: { id: { in: ids } } })),
  };
}

function byId<T extends { id: string }>(fetch: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = new Map((await fetch([...ids])).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/**
 * The first `first` children of each parent in one query (a window per parent), then the rows
 * by id through Prisma so they come back typed. Keys asking for different pages are batched by
 * page.
 */
function paged<T extends { id: string }, C>(
  db: Db,
  table: string,
  parentColumn: string,
  order: Prisma.Sql,
  fetch: (ids: string[]) => Promise<T[]>,
  cursor: (before: C | null | undefined) => Prisma.Sql = () => Prisma.empty,
): DataLoader<PageKey<C>, T[], string> {
  const parent = Prisma.raw(`"${parentColumn}"`);
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, PageKey<C>[]>();
      for (const k of keys) {
        const g = `${k.first}|${k.before ?? ""}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      const childIds = new Map<string, string[]>();
      for (const group of groups.values()) {
        const { first, before } = group[0]!;
        const parents = group.map((k) => k.parentId);
        const rows = await db.$queryRaw<{ id: string; parent: string }[]>`
          SELECT id::text AS id, parent::text AS parent FROM (
            SELECT id, ${parent} AS parent, row_number() OVER (PARTITION BY ${parent} ORDER BY ${order}) AS rn
              FROM ${Prisma.raw(`"${table}"`)}
             WHERE ${parent} = ANY(${parents}::uuid[]) ${cursor(before)}
          ) t WHERE rn <= ${first} ORDER BY parent, rn`;
        for (const r of rows) childIds.set(`${r.parent}|${first}|${before ?? ""}`, [...(childIds.get(`${r.parent}|${first}|${before ?? ""}`) ?? []), r.id]);
      }
      const all = [...childIds.values()].flat();
      const byId = new Map((all.length ? await fetch(all) : []).map((r) => [r.id, r]));
      return keys.map((k) => (childIds.get(cacheKey(k)) ?? []).flatMap((id) => byId.get(id) ?? []));
    },
    { cacheKeyFn: (k) => cacheKey(k) },
  );
}

function cacheKey<C>(k: PageKey<C>): string {
  return `${k.parentId}|${k.first}|${k.before ?? ""}`;
}
