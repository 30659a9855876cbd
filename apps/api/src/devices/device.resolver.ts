import { Authorized, Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { Permission } from "../auth/permissions.js";
import { listCost, PAGES, pageSize } from "../graphql/cost.js";
import { loadersFor } from "../graphql/loaders.js";
import { RecipientAllowed } from "../auth/principal-guard.js";
import type { Context } from "../context.js";
import { Recipient } from "../recipients/recipient.type.js";
import { RegisterDeviceInput, UnregisterDeviceInput } from "./device.input.js";
import { Device } from "./device.type.js";

@Resolver(() => Device)
export class DeviceResolver {
  @Mutation(() => Device, { description: "Registers (or re-registers) a push token or Web Push subscription." })
  @RecipientAllowed({ externalId: "input.externalId" })
  @Authorized(Permission.RECIPIENTS_WRITE)
  registerDevice(@Arg("input") input: RegisterDeviceInput, @Ctx() ctx: Context): Promise<Device> {
    return ctx.services.devices.register(ctx.app.appId, input);
  }

  @Mutation(() => Device, { description: "Stops sending to a device (state INVALID, reason \"unregistered\"); registering it again revives it." })
  @RecipientAllowed({ externalId: "input.externalId" })
  @Authorized(Permission.RECIPIENTS_WRITE)
  unregisterDevice(@Arg("input") input: UnregisterDeviceInput, @Ctx() ctx: Context): Promise<Device> {
    return ctx.services.devices.unregister(ctx.app.appId, input);
  }
}

@Resolver(() => Recipient)
export class RecipientDevicesResolver {
  @FieldResolver(() => [Device], { description: "Oldest first; `first` at most 100 (default 20).", complexity: listCost(PAGES.devices) })
  devices(@Root() recipient: Recipient, @Arg("first", () => Int, { nullable: true }) first: number | undefined, @Ctx() ctx: Context): Promise<Device[]> {
    return loadersFor(ctx).devices.load({ parentId: recipient.id, first: pageSize(first, PAGES.devices) });
  }
}
