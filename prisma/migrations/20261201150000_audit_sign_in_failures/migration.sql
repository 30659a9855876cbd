-- CreateIndex
CREATE INDEX "AuditLog_action_actorLabel_createdAt_idx" ON "AuditLog"("action", "actorLabel", "createdAt");
