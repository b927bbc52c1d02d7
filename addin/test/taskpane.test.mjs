// Tests of the HTML pages (Content-Security-Policy friendly, script order, the MSAL marker) and
// of the task pane's behaviour, with launchevent.js and taskpane.js run together in a node:vm
// context holding the fake Office and a minimal fake DOM built from taskpane.html's ids.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { createOutlook, createFetch } from "./fakeoffice.mjs";
// The syntax checker needs acorn (npm ci --prefix addin); without it that one test is skipped
// (the Go test that runs these files fails instead when SENDEVAGT_REQUIRE_NODE is set).
const syntax = await import("./check-syntax.mjs").catch(() => null);

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (name) => readFileSync(path.join(here, "..", name), "utf8");
const API = "https://sendevagt.kommune.dk";
const OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// until waits for what the pane shows, not for a time: a loaded machine only makes it slower.
async function until(cond, what = "the pane to update") {
  for (const end = Date.now() + 20000; Date.now() < end; ) {
    if (cond()) {
      return;
    }
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

function scripts(html) {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((m) => ({ attrs: m[1], body: m[2], src: (/\bsrc="([^"]*)"/.exec(m[1]) || [])[1] }));
}

describe("pages", () => {
  for (const name of ["commands.html", "taskpane.html"]) {
    test(`${name}: office.js, then the MSAL marker, then launchevent.js; nothing inline`, () => {
      const html = read(name);
      const list = scripts(html);
      assert.ok(list.length >= 2);
      assert.equal(list[0].src, OFFICE_JS);
      assert.equal(list[1].src, "launchevent.js");
      for (const s of list) {
        assert.ok(s.src, "every script has a src");
        assert.equal(s.body.trim(), "", "no inline script");
      }
      assert.equal(html.split("<!-- sendevagt:msal -->").length, 2, "the MSAL marker once");
      const marker = html.indexOf("<!-- sendevagt:msal -->");
      assert.ok(html.indexOf(OFFICE_JS) < marker && marker < html.indexOf('src="launchevent.js"'));
      assert.ok(!/<style\b/i.test(html), "no <style>");
      assert.ok(!/\sstyle=/i.test(html), "no style attribute");
      assert.ok(!/\son[a-z]+=/i.test(html), "no inline event handler");
      assert.ok(!/javascript:/i.test(html));
      assert.match(html, /<html lang="da">/);
    });
  }

  test("taskpane.html loads taskpane.js after launchevent.js, and its stylesheet", () => {
    const html = read("taskpane.html");
    assert.deepEqual(scripts(html).map((s) => s.src), [OFFICE_JS, "launchevent.js", "taskpane.js"]);
    assert.match(html, /<link rel="stylesheet" href="taskpane.css">/);
  });

  test("taskpane.html is accessible in structure: one h1, labelled controls, a live status", () => {
    const html = read("taskpane.html");
    assert.equal((html.match(/<h1\b/g) || []).length, 1);
    assert.match(html, /id="status"[^>]*aria-live="polite"/);
    for (const m of html.matchAll(/<textarea\b[^>]*id="([^"]+)"/g)) {
      assert.match(html, new RegExp(`<label for="${m[1]}"`));
    }
    for (const m of html.matchAll(/<button\b([^>]*)>/g)) {
      assert.match(m[1], /type="(button|submit)"/);
    }
    assert.match(html, /<th scope="col">Dokument<\/th>/);
    assert.match(html, /<th scope="col">Side<\/th>/);
    assert.match(html, /<th scope="col">Værdi<\/th>/);
    assert.match(html, /<th scope="col">Hvorfor<\/th>/);
  });

  test("every element taskpane.js uses exists in taskpane.html", () => {
    const html = read("taskpane.html");
    const js = read("taskpane.js");
    const ids = new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const used = [...js.matchAll(/\$\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.ok(used.length > 5);
    for (const id of used) {
      assert.ok(ids.has(id), `#${id} is missing from taskpane.html`);
    }
  });

  test("taskpane.js keeps to the handler's conservative syntax", { skip: syntax === null && "acorn not installed (npm ci --prefix addin)" }, () => {
    assert.deepEqual(syntax.checkSource(read("taskpane.js")), []);
  });

  test("the stylesheet uses Segoe UI, the accent blue and a visible focus", () => {
    const css = read("taskpane.css");
    assert.match(css, /Segoe UI/);
    assert.match(css, /#1f4e79/i);
    assert.match(css, /:focus-visible\s*\{[^}]*outline: 2px/);
  });
});

// A minimal DOM: the elements of taskpane.html by id, plus created elements.
class FakeElement {
  constructor(tag, id = "") {
    this.tagName = tag.toUpperCase();
    this.id = id;
    this.children = [];
    this.listeners = {};
    this.attributes = {};
    this.hidden = false;
    this.disabled = false;
    this.className = "";
    this.value = "";
    this._text = "";
  }
  get textContent() {
    return this._text + this.children.map((c) => c.textContent).join("");
  }
  set textContent(v) {
    this._text = String(v);
    this.children = [];
  }
  get firstChild() {
    return this.children[0] || null;
  }
  appendChild(c) {
    this.children.push(c);
    return c;
  }
  removeChild(c) {
    this.children = this.children.filter((x) => x !== c);
    return c;
  }
  setAttribute(k, v) {
    this.attributes[k] = String(v);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  focus() {
    this.focused = true;
  }
  fire(type) {
    const event = { type, preventDefault() {} };
    for (const fn of this.listeners[type] || []) {
      fn(event);
    }
  }
}

function fakeDocument(html) {
  const byId = {};
  for (const m of html.matchAll(/<([a-z0-9]+)\b([^>]*)\bid="([^"]+)"([^>]*)>/g)) {
    const el = new FakeElement(m[1], m[3]);
    el.hidden = /\shidden\b/.test(m[2] + m[4]);
    byId[m[3]] = el;
  }
  return {
    readyState: "complete",
    byId,
    getElementById: (id) => byId[id] || null,
    createElement: (tag) => new FakeElement(tag),
    addEventListener() {},
  };
}

const scanRecord = {
  scanId: "scan-1",
  time: "2025-01-01T10:00:00Z",
  action: "secure",
  source: "inline",
  policyVersion: 3,
  reasons: [{ code: "personal_data_unencrypted", action: "secure" }],
  documents: [
    { name: "Afgørelse.pdf", type: "pdf", status: "scanned" },
    { name: "Scan.tif", type: "tiff", status: "unscannable", detail: "ocr failed" },
  ],
  findings: [
    { kind: "cpr", document: "Afgørelse.pdf", page: 2, masked: "010190-xxxx", confidence: 0.95 },
    { kind: "sensitive", document: "(mailtekst)", page: 0, masked: "helbred", confidence: 0.7, category: "health" },
  ],
  feedback: [],
};

function startPane({ sets = { Mailbox: "1.15" }, ctx, sessionData = {}, responder, hostName = "OutlookWebApp", token = "token-pane" } = {}) {
  const outlook = createOutlook({
    hostName,
    sets,
    token,
    item: {
      subject: "Afgørelse",
      to: [{ displayName: "Jens", emailAddress: "jens@example.dk" }],
      bodyText: "Hej",
      attachments: [],
      initializationContext: ctx === undefined ? undefined : JSON.stringify(ctx),
      sessionData,
    },
  });
  const fetch = createFetch(
    responder ||
      ((req) => {
        if (req.url === `${API}/api/v1/scans/scan-1`) {
          return { json: scanRecord };
        }
        if (req.url === `${API}/api/v1/feedback`) {
          return { status: 201, json: { id: "fb-1", scanId: "scan-1", kind: "false_alarm", status: "open", time: "x" } };
        }
        if (req.url === `${API}/api/v1/onsend`) {
          return { json: { scanId: "scan-2", action: "warn", reasons: [{ code: "bulk_cpr", action: "warn", message: "Mange CPR-numre", documents: [] }], findings: [], documents: [] } };
        }
        return { status: 404, json: {} };
      }),
  );
  const document = fakeDocument(read("taskpane.html"));
  const context = vm.createContext({ Office: outlook.Office, OfficeRuntime: outlook.OfficeRuntime, fetch, document, console: { log() {} }, setTimeout, clearTimeout, AbortController });
  vm.runInContext(read("launchevent.js"), context, { filename: "launchevent.js" });
  context.SENDEVAGT_CONFIG.apiBase = API;
  vm.runInContext(read("taskpane.js"), context, { filename: "taskpane.js" });
  return { ...outlook, fetch, el: document.byId };
}

describe("task pane", () => {
  test("opened from the Send dialog: shows the scan, marks the mail secure, reports a false alarm", async () => {
    const ctx = { scanId: "scan-1", action: "secure", confirm: true, header: { name: "X-Sendevagt-Route", value: "secure" }, subjectTag: "[sikker]" };
    const pane = startPane({ ctx });
    await until(() => pane.el.result.hidden === false && pane.el.feedback.hidden === false);
    assert.equal(pane.fetch.requests[0].url, `${API}/api/v1/scans/scan-1`);
    assert.equal(pane.fetch.requests[0].method, "GET");
    assert.equal(pane.fetch.requests[0].headers.authorization, "Bearer token-pane");
    assert.equal(pane.el.result.hidden, false);
    assert.match(pane.el.verdict.textContent, /sikker mail/);
    assert.match(pane.el.verdict.className, /sv-secure/);
    assert.match(pane.el.reasons.textContent, /ikke markeret som sikker mail/);
    const rows = pane.el.findings.children.map((r) => r.children.map((c) => c.textContent));
    assert.deepEqual(rows, [
      ["Afgørelse.pdf", "2", "010190-xxxx", "CPR-nummer"],
      ["Mailens tekst", "–", "helbred", "Følsomme oplysninger (helbred)"],
    ]);
    assert.match(pane.el.unscanned.textContent, /Scan\.tif: kunne ikke læses/);
    assert.equal(pane.el["secure-button"].hidden, false);
    assert.equal(pane.el.feedback.hidden, false);

    pane.el["secure-button"].fire("click");
    await until(() => /sikker mail\. Tryk Send/.test(pane.el.status.textContent) && !pane.el["undo-secure-button"].disabled);
    assert.equal(pane.state.headers["X-Sendevagt-Route"], "secure");
    assert.equal(pane.state.subject, "[sikker] Afgørelse");
    assert.equal(pane.el.status.textContent, "Mailen er markeret som sikker mail. Tryk Send.");

    assert.equal(pane.el["secure-state"].hidden, false, "the pane shows that the mail will go encrypted");
    pane.el["undo-secure-button"].fire("click");
    await until(() => /Markeringen som sikker mail er fjernet/.test(pane.el.status.textContent) && !pane.el["secure-button"].disabled, "the undo");
    assert.equal(pane.state.headers["X-Sendevagt-Route"], undefined);
    assert.equal(pane.state.subject, "Afgørelse");
    assert.equal(pane.el["secure-state"].hidden, true);
    assert.equal(pane.el["secure-button"].hidden, false);
    pane.el["secure-button"].fire("click");
    await until(() => pane.state.headers["X-Sendevagt-Route"] === "secure" && !pane.el["secure-button"].disabled, "marking again");

    pane.el["feedback-comment"].value = "  Det er min egen sag  ";
    pane.el["feedback-form"].fire("submit");
    await until(() => /Tak/.test(pane.el.status.textContent));
    const fb = pane.fetch.requests.find((r) => r.url === `${API}/api/v1/feedback`);
    assert.equal(fb.method, "POST");
    assert.deepEqual(fb.body, { scanId: "scan-1", kind: "false_alarm", comment: "Det er min egen sag" });
    assert.match(pane.el.status.textContent, /Tak/);
  });

  test("opened from the ribbon on 1.13: finds the last verdict in session data", async () => {
    const ctx = { scanId: "scan-1", action: "block", confirm: false, header: null, subjectTag: "" };
    const pane = startPane({ sets: { Mailbox: "1.13" }, sessionData: { "sendevagt:last": JSON.stringify(ctx) } });
    await until(() => pane.el.result.hidden === false);
    assert.equal(pane.fetch.requests[0].url, `${API}/api/v1/scans/scan-1`);
    assert.equal(pane.el.result.hidden, false);
  });

  test("without a context: 'Kontrollér mailen nu' runs the check and shows the answer", async () => {
    const pane = startPane({});
    await until(() => /Kontrollér mailen nu/.test(pane.el.status.textContent));
    assert.equal(pane.fetch.requests.length, 0);
    assert.equal(pane.el.result.hidden, true);
    assert.match(pane.el.status.textContent, /Kontrollér mailen nu/);
    pane.el["check-button"].fire("click");
    await until(() => pane.el.status.textContent === "Kontrollen er færdig.");
    const req = pane.fetch.requests.find((r) => r.url === `${API}/api/v1/onsend`);
    assert.ok(req, "the check posts to /api/v1/onsend");
    assert.ok(req.body.inline);
    assert.equal(pane.el.result.hidden, false);
    assert.match(pane.el.verdict.className, /sv-warn/);
    assert.match(pane.el.reasons.textContent, /Mange CPR-numre/);
    assert.equal(pane.el.status.textContent, "Kontrollen er færdig.");
    assert.equal(pane.el.feedback.hidden, false);
    assert.equal(pane.el["check-button"].disabled, false);
  });

  test("opened from the info bar (preview context, no scan id): checks the draft at once", async () => {
    const pane = startPane({ ctx: { preview: true, action: "warn" } });
    await until(() => pane.el.status.textContent === "Kontrollen er færdig.", "the check to finish");
    const req = pane.fetch.requests.find((r) => r.url === `${API}/api/v1/onsend`);
    assert.ok(req, "the pane posts the check");
    assert.equal(req.body.preview, undefined, "the pane's own check is audited");
    assert.match(pane.el.verdict.className, /sv-warn/);
  });

  test("missing consent: the pane (never a handler) asks with prompts and goes on", async () => {
    const asked = [];
    const token = (options) => {
      asked.push({ signIn: options.allowSignInPrompt, consent: options.allowConsentPrompt });
      if (!options.allowConsentPrompt) {
        return Promise.reject(Object.assign(new Error("consent missing"), { code: 13012 }));
      }
      return Promise.resolve("token-after-consent");
    };
    const pane = startPane({ ctx: { scanId: "scan-1", action: "secure" }, token });
    await until(() => pane.el.result.hidden === false, "the scan to load");
    assert.deepEqual(asked, [{ signIn: false, consent: false }, { signIn: true, consent: true }]);
    assert.equal(pane.fetch.requests[0].headers.authorization, "Bearer token-after-consent");
  });

  test("a service error is told in Danish", async () => {
    const pane = startPane({ ctx: { scanId: "scan-1", action: "warn" }, responder: () => ({ status: 500, json: {} }) });
    await until(() => /Resultatet kunne ikke hentes/.test(pane.el.status.textContent));
    assert.match(pane.el.status.textContent, /Resultatet kunne ikke hentes, fordi tjenesten svarede med en fejl/);
    assert.match(pane.el.status.className, /sv-status-error/);
  });
});

// Override with a reason, end to end through the fake Office: the Send dialog offers "Begrund og
// send" (no Send Anyway), the task pane takes the reason and records it, and the next Send of the
// same draft names the override and goes; a changed draft does not.
describe("override with a reason", () => {
  const warnRequired = { scanId: "scan-w", action: "warn", overrideReason: "required", reasons: [{ code: "bulk_cpr", action: "warn", message: "Mange CPR-numre", documents: [] }], message: "Mange CPR-numre.", findings: [], documents: [] };

  function world() {
    const outlook = createOutlook({
      hostName: "Outlook",
      sets: { Mailbox: "1.15" },
      token: "token-pane",
      item: { subject: "Liste", to: [{ displayName: "Advokat", emailAddress: "advokat@example.org" }], bodyText: "Se liste", attachments: [{ id: "0", name: "Liste.pdf", size: 4, base64: "QUFB" }] },
    });
    const fetch = createFetch((req) => {
      if (req.url === `${API}/api/v1/onsend`) {
        if (req.body.overrideId === "ovr-1") {
          return { json: { scanId: "scan-sent", action: "allow", reasons: [] } };
        }
        return { json: warnRequired };
      }
      if (req.url === `${API}/api/v1/override`) {
        return { status: 201, json: { overrideId: "ovr-1", justification: req.body.reason } };
      }
      if (req.url === `${API}/api/v1/scans/scan-w`) {
        return { json: { ...warnRequired, time: "x", source: "inline", policyVersion: 1, feedback: [] } };
      }
      return { status: 404, json: {} };
    });
    const handlerCtx = vm.createContext({ Office: outlook.Office, OfficeRuntime: outlook.OfficeRuntime, fetch, console: { log() {} }, setTimeout, clearTimeout, AbortController });
    const handlers = {};
    const assoc = outlook.Office.actions.associate;
    outlook.Office.actions.associate = (n, fn) => {
      handlers[n] = fn;
    };
    vm.runInContext(read("launchevent.js"), handlerCtx, { filename: "launchevent.js" });
    outlook.Office.actions.associate = assoc;
    handlerCtx.SENDEVAGT_CONFIG.apiBase = API;
    const send = () =>
      new Promise((resolve) => {
        handlers.onMessageSendHandler({ completed: (o) => resolve(JSON.parse(JSON.stringify(o))) });
      });
    const openPane = (ctx) => {
      outlook.state.initializationContext = JSON.stringify(ctx);
      const document = fakeDocument(read("taskpane.html"));
      const c = vm.createContext({ Office: outlook.Office, OfficeRuntime: outlook.OfficeRuntime, fetch, document, console: { log() {} }, setTimeout, clearTimeout, AbortController });
      vm.runInContext(read("launchevent.js"), c, { filename: "launchevent.js" });
      c.SENDEVAGT_CONFIG.apiBase = API;
      vm.runInContext(read("taskpane.js"), c, { filename: "taskpane.js" });
      return document.byId;
    };
    return { outlook, fetch, send, openPane };
  }

  test("Begrund og send → reason in the task pane → the next Send goes as an override", async () => {
    const w = world();
    const first = await w.send();
    assert.equal(first.allowEvent, false);
    assert.equal(first.sendModeOverride, undefined, "no Send Anyway: it would bypass the record");
    assert.equal(first.cancelLabel, "Begrund og send");
    assert.equal(first.commandId, "sendevagtTaskPaneButton");
    const ctx = JSON.parse(first.contextData);
    assert.equal(ctx.overrideReason, "required");

    const el = w.openPane(ctx);
    await until(() => el.override.hidden === false, "the override form");
    assert.match(el["override-label"].textContent, /påkrævet/);
    el["override-form"].fire("submit");
    await until(() => /mindst 5 tegn/.test(el.status.textContent), "the required-reason message");
    assert.equal(w.fetch.requests.filter((r) => r.url.endsWith("/api/v1/override")).length, 0);

    el["override-reason"].value = "  Advokaten   skal bruge listen  ";
    el["override-form"].fire("submit");
    await until(() => /registreret\. Tryk Send/.test(el.status.textContent), "the override to be recorded");
    const rec = w.fetch.requests.find((r) => r.url === `${API}/api/v1/override`);
    assert.deepEqual(rec.body, { scanId: "scan-w", reason: "Advokaten skal bruge listen" });
    assert.ok(w.outlook.state.sessionData["sendevagt:override"]);

    const second = await w.send();
    assert.deepEqual(second, { allowEvent: true });
    const last = w.fetch.requests.filter((r) => r.url === `${API}/api/v1/onsend`).pop();
    assert.equal(last.body.overrideId, "ovr-1");
  });

  test("a recipient added after the override: the override is not sent, the warning stands", async () => {
    const w = world();
    const first = await w.send();
    const el = w.openPane(JSON.parse(first.contextData));
    await until(() => el.override.hidden === false, "the override form");
    el["override-reason"].value = "Aftalt med borgeren";
    el["override-form"].fire("submit");
    await until(() => /registreret/.test(el.status.textContent), "the override to be recorded");
    w.outlook.state.to.push({ displayName: "Anden", emailAddress: "anden@example.net", recipientType: "externalUser" });
    const second = await w.send();
    assert.equal(second.allowEvent, false);
    const last = w.fetch.requests.filter((r) => r.url === `${API}/api/v1/onsend`).pop();
    assert.equal(last.body.overrideId, undefined);
  });
});
