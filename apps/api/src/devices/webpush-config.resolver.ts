import { Authorized, Query, Resolver } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { loadEnv } from "../env.js";
import { WebPushConfigService } from "./webpush-config.service.js";

@Resolver()
export class WebPushConfigResolver {
  // Process configuration rather than per-request state, so it is read once here instead of
  // being threaded through the request context.
  private readonly config = new WebPushConfigService(loadEnv());

  @Query(() => String, {
    description: "The VAPID public key to pass as applicationServerKey to pushManager.subscribe() (base64url) before registering a WEB device.",
  })
  @Authorized(Permission.RECIPIENTS_READ)
  webPushPublicKey(): Promise<string> {
    return this.config.publicKey();
  }
}
