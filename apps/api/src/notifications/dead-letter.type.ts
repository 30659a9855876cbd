import { Field, Int, ObjectType } from "type-graphql";
import { Notification } from "./notification.type.js";

@ObjectType({ description: "What replayDeadLetters did." })
export class ReplayDeadLettersPayload {
  @Field(() => Int, { description: "Dead letters moved back to QUEUED by this call." })
  replayed!: number;

  @Field(() => [Notification], { description: "The replayed notifications, now QUEUED with a new attempt budget." })
  notifications!: Notification[];

  @Field(() => Int, { description: "Dead letters still matching the filter (more than `limit` matched); 0 when done." })
  remaining!: number;
}
