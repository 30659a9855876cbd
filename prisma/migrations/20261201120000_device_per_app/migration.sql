-- Devices belong to an app (issue 9, hole 4): a token registered by app B no longer moves app
-- A's device row. Existing rows take the app of the recipient they belong to.

-- DropIndex
DROP INDEX "Device_platform_token_key";

-- AlterTable: added nullable, backfilled from the recipient, then made required.
ALTER TABLE "Device" ADD COLUMN     "appId" UUID;
UPDATE "Device" d SET "appId" = r."appId" FROM "Recipient" r WHERE r."id" = d."recipientId";
ALTER TABLE "Device" ALTER COLUMN "appId" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Device_appId_platform_token_key" ON "Device"("appId", "platform", "token");

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
