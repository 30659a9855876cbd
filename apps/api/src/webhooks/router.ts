import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { ApiServerDeps } from "../server.js";
import { DeliveryFeedbackService } from "./delivery-feedback.service.js";
import { postmarkAuth, postmarkWebhook } from "./postmark.js";
import { twilioStatusWebhook } from "./twilio.js";
import { twilioInboundWebhook } from "./twilio-inbound.js";
import { unsubscribeRouter } from "./unsubscribe.js";
import { webhookSecrets, WebhookSecretUnavailableError } from "./webhook-secrets.js";

const BODY_LIMIT = "256kb";

/**
 * Provider callbacks (delivery status, bounces, inbound SMS). Each provider's route verifies the
 * provider's own signature or credentials before it touches anything; none of them uses the
 * appKey auth of /graphql, which providers don't have.
 */
export function createWebhookRouter(deps: ApiServerDeps): Router {
  const router = Router();
  const feedback = new DeliveryFeedbackService(deps.db);
  const secrets = webhookSecrets(deps.env);

  router.post(
    "/twilio/status",
    // extended: false keeps the fields flat and as posted, which is what the signature covers.
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    twilioStatusWebhook({ feedback, secrets, log: deps.log.child({ webhook: "twilio" }), publicApiUrl: deps.env.PUBLIC_API_URL }),
  );
  router.post(
    "/postmark",
    postmarkAuth({ secrets }),
    express.json({ limit: BODY_LIMIT }),
    postmarkWebhook({ feedback, secrets, log: deps.log.child({ webhook: "postmark" }) }),
  );

  router.post("/twilio/inbound", express.urlencoded({ extended: false, limit: BODY_LIMIT }), twilioInboundWebhook({ preferences: deps.services.preferences, secrets, log: deps.log.child({ webhook: "twilio-inbound" }), publicApiUrl: deps.env.PUBLIC_API_URL }));
  router.use("/unsubscribe", unsubscribeRouter(deps));

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof WebhookSecretUnavailableError) {
      deps.log.error({ err, path: req.originalUrl }, "cannot verify webhook");
      res.status(503).json({ error: "webhook verification is not configured" });
      return;
    }
    // body-parser's errors carry their HTTP status: 413 too large, 400 malformed, 415 charset.
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      res.status(status).json({ error: (err as Error).message });
      return;
    }
    deps.log.error({ err, path: req.originalUrl }, "webhook failed");
    res.status(500).json({ error: "internal error" });
  });
  return router;
}
