import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { DeviceState, Platform } from "@notify/db";
import { RecipientVisible } from "../auth/principal-guard.js";

registerEnumType(Platform, { name: "Platform" });
registerEnumType(DeviceState, { name: "DeviceState" });

@ObjectType({ description: "A push destination: APNs token, FCM token or Web Push subscription." })
@RecipientVisible()
export class Device {
  @Field(() => ID)
  id!: string;

  @Field(() => Platform)
  platform!: Platform;

  @Field({ description: "APNs/FCM token, or the Web Push endpoint." })
  token!: string;

  @Field(() => DeviceState)
  state!: DeviceState;

  @Field(() => String, { nullable: true, description: "Why a provider declared it dead." })
  invalidReason!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  lastSeenAt!: Date;
}
