import pg from "pg";
import type { LoadClient } from "./client.js";
import type { Channel } from "./mix.js";

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface Audience {
  /** externalIds, `${prefix}${i}` for i in [0, count). */
  prefix: string;
  count: number;
  seconds: number;
}

/**
 * Writes `count` recipients straight into Postgres with INSERT … SELECT over generate_series, so
 * a million takes seconds and is not what the bench measures. `reach` is "all" (email, phone, an
 * iOS and an Android device each) or a list of channel slots: recipient i can then be reached only
 * on reach[i % reach.length], which makes a broadcast to every channel follow that mix.
 * `topicKey` also subscribes every one of them to that topic (created if missing).
 */
export async function seedRecipients(
  databaseUrl: string,
  { appId, prefix, count, reach, topicKey }: { appId: string; prefix: string; count: number; reach: "all" | Channel[]; topicKey?: string },
): Promise<Audience> {
  const started = Date.now();
  await withClient(databaseUrl, async (c) => {
    // Setup only: nothing here needs to survive a crash, so skip the WAL flush per commit.
    await c.query("SET synchronous_commit = off");
    await c.query("CREATE TEMP TABLE bench_seed (id uuid PRIMARY KEY, g int NOT NULL, ch text NOT NULL)");
    await c.query(
      `INSERT INTO bench_seed
       SELECT gen_random_uuid(), g, CASE WHEN cardinality($2::text[]) = 0 THEN 'ALL' ELSE ($2::text[])[g % cardinality($2::text[]) + 1] END
         FROM generate_series(0, $1::int - 1) g`,
      [count, reach === "all" ? [] : reach],
    );
    await c.query(
      `INSERT INTO "Recipient" (id, "appId", "externalId", email, phone, timezone, "updatedAt")
       SELECT id, $1::uuid, $2::text || g,
              CASE WHEN ch IN ('ALL', 'EMAIL') THEN $2::text || g || '@example.com' END,
              CASE WHEN ch IN ('ALL', 'SMS') THEN '+1415' || lpad(g::text, 7, '0') END,
              'UTC', now()
         FROM bench_seed`,
      [appId, prefix],
    );
    // Tokens in the shapes the simulators accept: 64 hex characters for APNs.
    await c.query(
      `INSERT INTO "Device" (id, "appId", "recipientId", platform, token)
       SELECT gen_random_uuid(), $1::uuid, id, 'IOS'::"Platform", md5(id::text) || md5(g::text) FROM bench_seed WHERE ch IN ('ALL', 'IOS_PUSH')`,
      [appId],
    );
    await c.query(
      `INSERT INTO "Device" (id, "appId", "recipientId", platform, token)
       SELECT gen_random_uuid(), $1::uuid, id, 'ANDROID'::"Platform", 'fcm-' || md5(id::text) || md5('android' || g) FROM bench_seed WHERE ch IN ('ALL', 'ANDROID_PUSH')`,
      [appId],
    );
    if (topicKey) {
      await c.query(`INSERT INTO "Topic" ("appId", key) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING`, [appId, topicKey]);
      await c.query(`INSERT INTO "TopicSubscription" ("appId", "topicKey", "recipientId") SELECT $1::uuid, $2, id FROM bench_seed`, [appId, topicKey]);
    }
    await c.query("DROP TABLE bench_seed");
    // Fresh statistics, so the fan-out's keyset queries get the plans they would in production.
    await c.query(`ANALYZE "Recipient", "Device", "Topic", "TopicSubscription"`);
  });
  return { prefix, count, seconds: (Date.now() - started) / 1000 };
}

export const BENCH_TEMPLATE = "bench-digest";

/** A published template with one required variable and content for every channel the bench uses. */
export async function createBenchTemplate(client: LoadClient): Promise<void> {
  const created = await client.call(`mutation ($input: CreateTemplateInput!) { createTemplate(input: $input) { key } }`, {
    input: {
      key: BENCH_TEMPLATE,
      name: "Bench digest",
      category: "bench",
      defaultLocale: "en",
      variables: [{ name: "name", type: "STRING", required: true }],
      content: [
        {
          locale: "en",
          email: { subject: "Hi {{ name }}", text: "Your order shipped, {{ name }}." },
          sms: { text: "{{ name }}, your order shipped." },
          iosPush: { title: "Order shipped", body: "On its way, {{ name }}." },
          androidPush: { title: "Order shipped", body: "On its way, {{ name }}." },
        },
      ],
    },
  });
  const published = created && (await client.call(`mutation ($key: String!) { publishTemplate(key: $key) { version } }`, { key: BENCH_TEMPLATE }));
  if (!published) throw new Error(`could not create the bench template: ${client.takeRefusals().lines.join("; ")}`);
}
