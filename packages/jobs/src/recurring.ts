import { z } from "zod";
import { Channel } from "@notify/db";

/**
 * What a RecurringSchedule creates on every tick, as stored in its `request` column: one
 * notification per entry, already validated and rendered by the API when the schedule was
 * created. A tick only copies these rows, so the workers never re-implement the send path's
 * validation or template rendering (the price: a template edited later is not picked up; the
 * schedule keeps the version it was created with).
 */
export const recurringRequestSchema = z.object({
  notifications: z
    .array(
      z.object({
        channel: z.enum(Channel),
        content: z.record(z.string(), z.union([z.string(), z.number()])),
        data: z.record(z.string(), z.unknown()).nullish(),
      }),
    )
    .min(1),
  category: z.string().nullish(),
  templateVersionId: z.uuid().nullish(),
});
export type RecurringRequest = z.infer<typeof recurringRequestSchema>;
