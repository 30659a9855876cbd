import "server-only";
import { callApi } from "./api";
import { graphql, type ResultOf } from "./graphql";

const QUEUE_DEPTH = graphql(`
  query ConsoleQueueDepth {
    queueDepth {
      channel
      waiting
      active
      delayed
      failed
    }
  }
`);

const STATS = graphql(`
  query ConsoleTemplateStats($key: String!) {
    templateStats(key: $key) {
      key
      total
      opened
      clicked
      byStatus {
        status
        count
      }
    }
  }
`);

const TEMPLATE_KEYS = graphql(`
  query ConsoleTemplateKeys {
    templates {
      key
    }
  }
`);

/** The subscription the console relays; printed for graphql-ws, which takes a string. */
export const DELIVERY_EVENTS = `subscription ConsoleDeliveryEvents($externalId: String, $templateKey: String) {
  deliveryEvents(externalId: $externalId, templateKey: $templateKey) {
    id type source occurredAt detail notificationId channel status externalId templateKey
  }
}`;

export type QueueDepthRow = ResultOf<typeof QUEUE_DEPTH>["queueDepth"][number];
export type TemplateStatsRow = ResultOf<typeof STATS>["templateStats"];

export async function queueDepth(): Promise<QueueDepthRow[]> {
  return (await callApi(QUEUE_DEPTH, {})).queueDepth;
}

// One stats query per template; a console app has tens of templates, not thousands.
const MAX_TEMPLATES = 50;

/** Stats for every template of the console's app, in key order. */
export async function allTemplateStats(): Promise<TemplateStatsRow[]> {
  const { templates } = await callApi(TEMPLATE_KEYS, {});
  const keys = templates.map((t) => t.key).sort().slice(0, MAX_TEMPLATES);
  return Promise.all(keys.map(async (key) => (await callApi(STATS, { key })).templateStats));
}
