import { Field, InputType } from "type-graphql";

@InputType({ description: "A wall-clock time in the recipient's time zone (their `timezone`)." })
export class SendAtLocalInput {
  // Checked by resolveSendAt, so a bad value gets a typed reason rather than a validator message.
  @Field({ description: "YYYY-MM-DD" })
  date!: string;

  @Field({ description: "HH:MM, 24-hour. A time skipped by a DST change becomes the first minute after the change." })
  time!: string;
}

@InputType({ description: "The new delivery time: exactly one of sendAt and sendAtLocal." })
export class RescheduleInput {
  @Field(() => String, { nullable: true, description: "ISO 8601 with an offset or Z, e.g. 2026-12-24T09:00:00+09:00." })
  sendAt?: string | null;

  @Field(() => SendAtLocalInput, { nullable: true })
  sendAtLocal?: SendAtLocalInput | null;
}
