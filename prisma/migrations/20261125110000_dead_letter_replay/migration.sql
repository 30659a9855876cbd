-- AlterEnum
ALTER TYPE "DeliveryEventType" ADD VALUE 'REPLAYED';

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "attemptsBeforeReplay" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "deadLetteredAt" TIMESTAMP(3),
ADD COLUMN     "lastErrorCode" TEXT,
ADD COLUMN     "replayedAt" TIMESTAMP(3);


