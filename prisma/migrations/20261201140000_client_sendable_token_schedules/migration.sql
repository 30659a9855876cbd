-- AlterTable
ALTER TABLE "RecurringSchedule" ADD COLUMN     "createdByTokenId" TEXT;

-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "clientSendable" BOOLEAN NOT NULL DEFAULT false;
