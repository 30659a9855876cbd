-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "idempotencyKey" TEXT,
ADD COLUMN     "unreachable" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Broadcast_status_createdAt_idx" ON "Broadcast"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Broadcast_appId_idempotencyKey_key" ON "Broadcast"("appId", "idempotencyKey");
