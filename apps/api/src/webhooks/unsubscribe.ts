import express, { Router, type Request, type Response } from "express";
import { InvalidUnsubscribeTokenError, unsubscribeSecret, verifyUnsubscribeToken, type UnsubscribeClaim } from "@notify/preferences";
import type { ApiServerDeps } from "../server.js";

/**
 * The List-Unsubscribe URL of our emails (RFC 8058), /webhooks/unsubscribe/<token>.
 *
 * POST with List-Unsubscribe=One-Click is the one-click unsubscribe mailbox providers send: it
 * opts the recipient out of the email's category on EMAIL. GET only shows a page with a button
 * that makes that POST: link scanners and previewers fetch URLs in mail, and a GET that
 * unsubscribed would let them unsubscribe people who never clicked (RFC 8058 §4). A bad or
 * expired token is a 400 and changes nothing.
 */
export function unsubscribeRouter({ services, env, log }: Pick<ApiServerDeps, "services" | "env" | "log">): Router {
  const { secret, generated } = unsubscribeSecret({ configured: env.UNSUBSCRIBE_SECRET, mode: env.NOTIFY_MODE, sandboxFile: env.UNSUBSCRIBE_SECRET_FILE });
  if (generated) log.info(`UNSUBSCRIBE_SECRET is not set; sandbox mode signs unsubscribe links with this install's random secret in ${env.UNSUBSCRIBE_SECRET_FILE}`);

  const verify = (req: Request, res: Response): UnsubscribeClaim | null => {
    try {
      return verifyUnsubscribeToken(String(req.params.token), secret);
    } catch (err) {
      if (!(err instanceof InvalidUnsubscribeTokenError)) throw err;
      const message = err.reason === "EXPIRED" ? "This unsubscribe link has expired." : "This unsubscribe link is not valid.";
      res.status(400).type("html").send(page("Unsubscribe", `<p>${message}</p><p>Use the preferences page of the service that emailed you instead.</p>`));
      return null;
    }
  };

  const router = Router();
  router.get("/:token", (req, res) => {
    const claim = verify(req, res);
    if (!claim) return;
    res
      .status(200)
      .type("html")
      .send(
        page(
          "Unsubscribe",
          `<p>Stop receiving ${escapeHtml(subject(claim))}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
  });

  // Any content type is read as text: providers send urlencoded, RFC 8058 also allows multipart.
  router.post("/:token", express.text({ type: () => true, limit: "16kb" }), async (req, res) => {
    const claim = verify(req, res);
    if (!claim) return;
    if (!isOneClick(req)) {
      res.status(400).type("html").send(page("Unsubscribe", "<p>A one-click unsubscribe is a POST with the body List-Unsubscribe=One-Click.</p>"));
      return;
    }
    const outcome = await services.preferences.unsubscribe(claim);
    log.info({ recipientId: claim.recipientId, category: claim.category, channel: claim.channel, outcome }, "one-click unsubscribe");
    if (outcome === "unknown-recipient") {
      res.status(404).type("html").send(page("Unsubscribe", "<p>We no longer have this address on file.</p>"));
      return;
    }
    if (outcome === "required") {
      res.status(409).type("html").send(page("Unsubscribe", `<p>${escapeHtml(claim.category)} emails cannot be turned off.</p>`));
      return;
    }
    res.status(200).type("html").send(page("Unsubscribed", `<p>You will no longer receive ${escapeHtml(subject(claim))}.</p>`));
  });
  return router;
}

function isOneClick(req: Request): boolean {
  const body = typeof req.body === "string" ? req.body : "";
  if (/^multipart\/form-data/i.test(req.header("content-type") ?? "")) {
    return /name="?List-Unsubscribe"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n\s*One-Click\s*(\r?\n|$)/i.test(body);
  }
  return new URLSearchParams(body).get("List-Unsubscribe") === "One-Click";
}

const subject = (claim: UnsubscribeClaim) => (claim.category === "*" ? "these emails (required account and security emails still arrive)" : `${claim.category} emails`);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}
