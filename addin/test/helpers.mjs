// helpers: the setup shared by the feature tests (queue, shared mailboxes, appointments,
// pre-scan binding, info bar, overrides, unchecked stamp): a fake Outlook, a fake service
// answering per path, and the loaded handler.
import assert from "node:assert/strict";
import { createOutlook, loadLaunchEvent, runEvent, createFetch } from "./fakeoffice.mjs";

export const API = "https://sendevagt.kommune.dk";
export const BUDGET = 1500;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const citizen = { displayName: "Karen Testesen", emailAddress: "karen.testesen@example.dk" };
export const baseItem = () => ({
  subject: "Afgørelse",
  to: [citizen],
  cc: [],
  bcc: [],
  bodyText: "Kære Karen. Se vedhæftede afgørelse.",
  attachments: [{ id: "0", name: "Afgørelse.pdf", size: 5, contentType: "application/pdf", base64: "JVBERi0=" }],
});

export const allowAnswer = { scanId: "scan-allow", action: "allow", reasons: [], message: "", findings: [], documents: [] };
export const warnAnswer = {
  scanId: "scan-warn",
  action: "warn",
  reasons: [{ code: "cpr_external", action: "warn", message: "CPR-nummer til ekstern modtager", documents: [] }],
  message: "Mailen indeholder et CPR-nummer og går til en ekstern modtager.",
  findings: [],
  documents: [],
};

// setup: o.answer (the on-send answer), o.responder(req, i) (overrides everything),
// o.routes {path: answer | (req) => answer} for the other API paths.
export function setup(o = {}) {
  const outlook = createOutlook({
    hostName: o.hostName ?? "Outlook",
    sets: { Mailbox: "1.15", ...(o.sets || {}) },
    token: o.token ?? "token-sso",
    item: { ...baseItem(), ...(o.item || {}) },
    itemType: o.itemType,
    failures: o.failures,
    delays: o.delays,
    maxConcurrent: o.maxConcurrent,
    shared: o.shared,
    sessionDataMissing: o.sessionDataMissing,
  });
  let responder = o.responder;
  if (responder === undefined) {
    const routes = o.routes || {};
    responder = (req, i) => {
      const p = req.url.substring(API.length);
      if (routes[p] !== undefined) {
        const r = routes[p];
        return typeof r === "function" ? r(req, i) : r;
      }
      if (p === "/api/v1/onsend") {
        return { status: 200, json: o.answer ?? allowAnswer };
      }
      return { status: 200, json: {} };
    };
  }
  const fetch = createFetch(responder);
  const loaded = loadLaunchEvent({
    ...outlook,
    fetch,
    config: { apiBase: API, budgetMs: BUDGET, apiScope: "api://x/cid/access_as_user", clientId: "cid", ...(o.config || {}) },
  });
  const run = (name) => runEvent(loaded.handlers[name]);
  const called = (method) => outlook.calls.filter((c) => c.method === method);
  const requests = (p) => fetch.requests.filter((r) => r.url === API + p);
  return { ...outlook, ...loaded, fetch, run, called, requests, send: () => run("onMessageSendHandler") };
}

export function expectOnce(result) {
  assert.equal(result.count, 1, "event.completed must be called exactly once");
}
