import { IsOptional, Length, ValidateNested } from "class-validator";
import { Field, InputType } from "type-graphql";
import { Platform } from "@notify/db";

@InputType({ description: "The keys of a browser PushSubscription (PushSubscription.toJSON().keys)." })
export class WebPushKeysInput {
  @Field()
  @Length(80, 100)
  p256dh!: string;

  @Field()
  @Length(16, 32)
  auth!: string;
}

@InputType()
export class RegisterDeviceInput {
  @Field({ description: "The recipient's externalId." })
  @Length(1, 200)
  externalId!: string;

  @Field(() => Platform)
  platform!: Platform;

  @Field({ description: "APNs device token (hex), FCM registration token, or the Web Push endpoint URL." })
  @Length(1, 4096)
  token!: string;

  @Field(() => WebPushKeysInput, { nullable: true, description: "Required for WEB." })
  @IsOptional()
  @ValidateNested()
  webPushKeys?: WebPushKeysInput;

  @Field(() => String, { nullable: true, description: "iOS: bundle id, when not the configured default topic." })
  @IsOptional()
  @Length(1, 255)
  appBundleId?: string;
}

@InputType({ description: "A device to stop sending to, e.g. when the user signs out of the app on it." })
export class UnregisterDeviceInput {
  @Field({ description: "The recipient's externalId." })
  @Length(1, 200)
  externalId!: string;

  @Field(() => Platform)
  platform!: Platform;

  @Field({ description: "The token (or Web Push endpoint) it was registered with." })
  @Length(1, 4096)
  token!: string;
}
