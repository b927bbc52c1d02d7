// Tests of launchevent.js, the on-send handler, against the fake Office of fakeoffice.mjs and a
// fake fetch that records the requests to the service. Every case checks that
// event.completed is called exactly once.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createOutlook, loadLaunchEvent, runEvent, createFetch, launchEventPath } from "./fakeoffice.mjs";

const API = "https://sendevagt.kommune.dk";
// The handler's budget in most tests: generous, so a loaded machine does not turn a verdict
// into the fail mode. Tests of the watchdog itself use SHORT.
const BUDGET = 1500;
const SHORT = 300;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// LATE is how late a timer may fire on a loaded 2-core machine (5 concurrent builds and tests).
const LATE = 5000;

const citizen = { displayName: "Jens Hansen", emailAddress: "jens.hansen@example.dk" };
const baseItem = () => ({
  subject: "Afgørelse om boligstøtte",
  to: [citizen],
  cc: [],
  bcc: [],
  bodyText: "Kære Jens. Se vedhæftede afgørelse. CPR 010190-1234.",
  bodyHtml: "<html><body><p>Kære Jens. Se vedhæftede afgørelse. CPR 010190-1234.</p></body></html>",
  attachments: [{ id: "0", name: "Afgørelse.pdf", size: 5, contentType: "application/pdf", base64: "JVBERi0=" }],
});

const allowAnswer = { scanId: "scan-allow", action: "allow", reasons: [], message: "", messageMarkdown: "", findings: [], documents: [] };
const warnAnswer = {
  scanId: "scan-warn",
  action: "warn",
  policyVersion: 3,
  reasons: [{ code: "cpr_external", action: "warn", message: "CPR-nummer til ekstern modtager", documents: ["Afgørelse.pdf"] }],
  message: "Mailen indeholder et CPR-nummer (010190-xxxx) og går til en ekstern modtager.",
  messageMarkdown: "Mailen indeholder et **CPR-nummer** (010190-xxxx) og går til en ekstern modtager.",
  findings: [],
  documents: [],
};
const blockAnswer = {
  scanId: "scan-block",
  action: "block",
  reasons: [{ code: "different_citizen", action: "block", message: "Afgørelse.pdf handler om en anden borger", documents: ["Afgørelse.pdf"] }],
  message: "Afgørelse.pdf handler om en anden borger (010190-xxxx) end modtageren.",
  messageMarkdown: "**Afgørelse.pdf** handler om en anden borger (010190-xxxx) end modtageren.",
};
const secureAnswer = (secure) => ({
  scanId: "scan-secure",
  action: "secure",
  reasons: [{ code: "sensitive_unencrypted", action: "secure", message: "Følsomme oplysninger", documents: [] }],
  message: "Mailen indeholder følsomme oplysninger og skal sendes som sikker mail.",
  messageMarkdown: "Mailen indeholder **følsomme oplysninger** og skal sendes som sikker mail.",
  secure: { header: { name: "X-Sendevagt-Route", value: "secure" }, subjectTag: "[sikker]", confirm: false, ...secure },
});

// setup builds a fake Outlook, a fake service and the loaded handler.
function setup(o = {}) {
  const outlook = createOutlook({
    hostName: o.hostName ?? "Outlook",
    sets: { Mailbox: "1.15", ...(o.sets || {}) },
    token: o.token ?? "token-sso",
    naa: o.naa,
    item: { ...baseItem(), ...(o.item || {}) },
    failures: o.failures,
    delays: o.delays,
    sessionDataMissing: o.sessionDataMissing,
    labels: o.labels,
  });
  let responder = o.responder;
  if (responder === undefined) {
    const answer = o.answer ?? allowAnswer;
    responder = () => ({ status: 200, json: answer });
  }
  const fetch = createFetch(responder);
  const loaded = loadLaunchEvent({
    ...outlook,
    fetch,
    clock: o.clock,
    abortController: o.abortController ?? true,
    config: { apiBase: API, budgetMs: BUDGET, apiScope: "api://sendevagt.kommune.dk/cid/access_as_user", clientId: "cid", ...(o.config || {}) },
  });
  const send = () => runEvent(loaded.handlers.onMessageSendHandler);
  const attachmentsChanged = () => runEvent(loaded.handlers.onAttachmentsChangedHandler);
  const recipientsChanged = () => runEvent(loaded.handlers.onRecipientsChangedHandler);
  const called = (method) => outlook.calls.filter((c) => c.method === method);
  return { ...outlook, ...loaded, fetch, send, attachmentsChanged, recipientsChanged, called };
}

function onsendRequests(env) {
  return env.fetch.requests.filter((r) => r.url === `${API}/api/v1/onsend`);
}

function expectOnce(result) {
  assert.equal(result.count, 1, "event.completed must be called exactly once");
}

const why = {
  timeout: "kontrollen tog for lang tid",
  unreachable: "tjenesten kunne ikke nås",
  login: "du kunne ikke logges på Sendevagt",
  service: "tjenesten svarede med en fejl",
};
const warnText = (w) =>
  `Sendevagt kunne ikke kontrollere mailen, fordi ${w}. Se selv efter, at mailen og vedhæftningerne kun indeholder oplysninger, som modtageren må få, og vælg derefter Send alligevel.`;
const blockText = (w) =>
  `Sendevagt kunne ikke kontrollere mailen, fordi ${w}. Mailen er ikke sendt. Prøv igen om lidt, eller kontakt IT-support, hvis det bliver ved.`;

describe("loading", { concurrency: true }, () => {
  test("associates the handlers by their manifest names", () => {
    const env = setup();
    assert.deepEqual(Object.keys(env.handlers).sort(), ["onAppointmentSendHandler", "onAttachmentsChangedHandler", "onMessageSendHandler", "onRecipientsChangedHandler"]);
    assert.deepEqual(
      env.called("actions.associate").map((c) => c.args[0]),
      ["onMessageSendHandler", "onAppointmentSendHandler", "onAttachmentsChangedHandler", "onRecipientsChangedHandler"],
    );
    assert.equal(typeof env.context.Sendevagt.check, "function");
    assert.equal(typeof env.context.Sendevagt.getToken, "function");
    assert.equal(typeof env.context.Sendevagt.markSecure, "function");
  });

  test("loads without Office (no associate, no error)", () => {
    const { handlers, context } = loadLaunchEvent({});
    assert.deepEqual(handlers, {});
    assert.equal(typeof context.onMessageSendHandler, "function");
  });

  test("has exactly one configuration line, as the service renders it", () => {
    const src = readFileSync(launchEventPath, "utf8");
    const lines = src.split("\n").filter((l) => l.includes("SENDEVAGT_CONFIG = "));
    assert.equal(lines.length, 1);
    const m = /^var SENDEVAGT_CONFIG = (.*);$/.exec(lines[0]);
    assert.ok(m, "the configuration line has the contract's form");
    assert.deepEqual(JSON.parse(m[1]), {
      apiBase: "", clientId: "", apiScope: "", failMode: "warn", budgetMs: 4000, graph: false,
      maxInlineBytes: 26214400, maxAttachmentBytes: 26214400, taskpaneCommandId: "sendevagtTaskPaneButton",
      msal: false, version: "dev",
    });
    assert.equal((src.match(/^var SENDEVAGT_CONFIG = .*;$/gm) || []).length, 1);
  });

  test("reads the configuration at call time", async () => {
    const env = setup();
    env.context.SENDEVAGT_CONFIG.apiBase = "https://other.kommune.dk";
    const r = await env.send();
    expectOnce(r);
    assert.equal(env.fetch.requests[0].url, "https://other.kommune.dk/api/v1/onsend");
  });
});

describe("verdicts", { concurrency: true }, () => {
  test("allow sends, with the token and the envelope", async () => {
    const env = setup({ item: { headers: { "X-Sendevagt-Route": "secure" }, cc: ["kopi@kommune.dk"], bcc: [{ displayName: "", emailAddress: "skjult@kommune.dk" }] } });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    const [req] = onsendRequests(env);
    assert.equal(req.method, "POST");
    assert.equal(req.headers.authorization, "Bearer token-sso");
    assert.match(req.headers["content-type"], /^multipart\/form-data; boundary=sendevagt-[0-9a-f]{32}$/, "attachments go as binary parts");
    assert.deepEqual(env.called("getAccessToken")[0].args[0], { allowSignInPrompt: false, allowConsentPrompt: false, forMSGraphAccess: false });
    assert.equal(req.body.mailbox, "sagsbehandler@kommune.dk");
    assert.equal(req.body.subject, "Afgørelse om boligstøtte");
    assert.deepEqual(req.body.recipients, {
      to: [{ name: "Jens Hansen", address: "jens.hansen@example.dk" }],
      cc: [{ name: "", address: "kopi@kommune.dk" }],
      bcc: [{ name: "", address: "skjult@kommune.dk" }],
    });
    assert.deepEqual(req.body.from, { name: "Sagsbehandler", address: "sagsbehandler@kommune.dk" });
    assert.deepEqual(req.body.headers, { "X-Sendevagt-Route": "secure" });
    await sleep(BUDGET + 50);
    assert.equal(r.count, 1, "the watchdog must not complete a second time");
  });

  test("recipients without an address are left out; no from before Mailbox 1.7 or headers before 1.8", async () => {
    const env = setup({ sets: { Mailbox: "1.6" }, item: { to: [citizen, { displayName: "Ukendt", emailAddress: "" }, "ikke en adresse"] } });
    const r = await env.send();
    expectOnce(r);
    const [req] = onsendRequests(env);
    assert.deepEqual(req.body.recipients.to, [{ name: "Jens Hansen", address: "jens.hansen@example.dk" }]);
    assert.equal(req.body.from, undefined);
    assert.equal(req.body.headers, undefined);
    assert.deepEqual(req.body.inline.attachments, [], "no attachment API before 1.8");
  });

  const warnCases = [
    { set: "1.15", markdown: true },
    { set: "1.14", markdown: false },
  ];
  for (const c of warnCases) {
    test(`warn on Mailbox ${c.set}: Send anyway, details button, context data as a string`, async () => {
      const env = setup({ sets: { Mailbox: c.set }, answer: warnAnswer });
      const r = await env.send();
      expectOnce(r);
      const ctx = { scanId: "scan-warn", action: "warn", confirm: false, header: null, subjectTag: "" };
      const want = {
        allowEvent: false,
        errorMessage: warnAnswer.message,
        sendModeOverride: "promptUser",
        cancelLabel: "Se detaljer",
        commandId: "sendevagtTaskPaneButton",
        contextData: JSON.stringify(ctx),
      };
      if (c.markdown) {
        want.errorMessageMarkdown = warnAnswer.messageMarkdown + "\n\nTog Sendevagt fejl? Vælg **Se detaljer**, og rapportér en falsk alarm.";
      }
      assert.deepEqual(r.options, want);
      assert.equal(typeof r.options.contextData, "string");
      assert.deepEqual(JSON.parse(env.state.sessionData["sendevagt:last"]), ctx);
    });
  }

  for (const set of ["1.13", "1.12"]) {
    test(`warn on Mailbox ${set}: a second Send of the same draft goes, a changed one is warned again`, async () => {
      const env = setup({ sets: { Mailbox: set }, answer: warnAnswer });
      let r = await env.send();
      expectOnce(r);
      assert.equal(r.options.allowEvent, false);
      assert.ok(r.options.errorMessage.endsWith("Tryk Send igen for at sende alligevel."), r.options.errorMessage);
      assert.ok(r.options.errorMessage.startsWith(warnAnswer.message));
      for (const k of ["sendModeOverride", "cancelLabel", "commandId", "contextData", "errorMessageMarkdown"]) {
        assert.equal(r.options[k], undefined, k);
      }
      r = await env.send();
      expectOnce(r);
      assert.deepEqual(r.options, { allowEvent: true });

      // Warned again, then changed: a new recipient makes it a different draft.
      r = await env.send();
      assert.equal(r.options.allowEvent, false);
      env.state.to.push({ displayName: "Anden", emailAddress: "anden@example.dk", recipientType: "externalUser" });
      r = await env.send();
      expectOnce(r);
      assert.equal(r.options.allowEvent, false, "a changed draft is warned again");
      r = await env.send();
      assert.deepEqual(r.options, { allowEvent: true });

      // A changed attachment too.
      r = await env.send();
      assert.equal(r.options.allowEvent, false);
      env.state.attachments.push({ id: "1", name: "Bilag.pdf", size: 9, base64: "JVBERi0=" });
      r = await env.send();
      assert.equal(r.options.allowEvent, false, "a new attachment makes a new draft");
    });
  }

  test("warn without session data (Mailbox 1.10) blocks, also on the second Send", async () => {
    const env = setup({ sets: { Mailbox: "1.10" }, answer: warnAnswer });
    for (let i = 0; i < 2; i++) {
      const r = await env.send();
      expectOnce(r);
      assert.deepEqual(r.options, { allowEvent: false, errorMessage: warnAnswer.message });
    }
  });

  test("warn on 1.13 also works when session data answers an unknown key with an empty value", async () => {
    const env = setup({ sets: { Mailbox: "1.13" }, answer: warnAnswer, sessionDataMissing: "empty" });
    let r = await env.send();
    assert.equal(r.options.allowEvent, false);
    r = await env.send();
    assert.deepEqual(r.options, { allowEvent: true });
  });

  test("block with 1.15: message, markdown and details button, never Send anyway", async () => {
    const env = setup({ answer: blockAnswer });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, {
      allowEvent: false,
      errorMessage: blockAnswer.message,
      errorMessageMarkdown: blockAnswer.messageMarkdown + "\n\nTog Sendevagt fejl? Vælg **Se detaljer**, og rapportér en falsk alarm.",
      cancelLabel: "Se detaljer",
      commandId: "sendevagtTaskPaneButton",
      contextData: JSON.stringify({ scanId: "scan-block", action: "block", confirm: false, header: null, subjectTag: "" }),
    });
  });

  test("block on 1.12: message only; also on a second Send", async () => {
    const env = setup({ sets: { Mailbox: "1.12" }, answer: blockAnswer });
    for (let i = 0; i < 2; i++) {
      const r = await env.send();
      expectOnce(r);
      assert.deepEqual(r.options, { allowEvent: false, errorMessage: blockAnswer.message });
    }
  });

  test("a long message is cut to 500 characters at a word boundary", async () => {
    const long = "Sendevagt fandt " + "personoplysninger i dokumentet ".repeat(40);
    const env = setup({ answer: { ...blockAnswer, message: long, messageMarkdown: "**" + long } });
    const r = await env.send();
    assert.ok(r.options.errorMessage.length <= 500);
    assert.equal(r.options.errorMessageMarkdown, undefined, "over-long Markdown is left out, never cut through its markup");
    assert.ok(r.options.errorMessage.endsWith("…"));
    const words = r.options.errorMessage.slice(0, -1).split(" ");
    assert.ok(long.includes(words.join(" ") + " "), "cut between words");
    const env2 = setup({ sets: { Mailbox: "1.12" }, answer: { ...warnAnswer, message: long } });
    const r2 = await env2.send();
    assert.ok(r2.options.errorMessage.length <= 500);
    assert.ok(r2.options.errorMessage.endsWith("Tryk Send igen for at sende alligevel."));
  });

  test("an answer without a message gets a Danish default", async () => {
    const env = setup({ answer: { ...blockAnswer, message: "", messageMarkdown: "" } });
    const r = await env.send();
    expectOnce(r);
    assert.match(r.options.errorMessage, /Sendevagt har stoppet mailen/);
    assert.equal(r.options.errorMessageMarkdown, undefined);
  });
});

describe("secure", { concurrency: true }, () => {
  test("without confirm: header and subject tag set, then allowed", async () => {
    const env = setup({ answer: secureAnswer({}) });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.headers["X-Sendevagt-Route"], "secure");
    assert.equal(env.state.subject, "[sikker] Afgørelse om boligstøtte");
    assert.deepEqual(JSON.parse(env.state.sessionData["sendevagt:last"]), {
      scanId: "scan-secure", action: "secure", confirm: false,
      header: { name: "X-Sendevagt-Route", value: "secure" }, subjectTag: "[sikker]",
    });
  });

  test("the policy's sensitivity label is applied on 1.13 and later, and its failure is ignored", async () => {
    const label = "9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
    const labels = { enabled: true, list: [{ id: "0000", name: "Offentlig", children: [] }, { id: "1111", name: "Fortrolig", children: [{ id: label.toUpperCase(), name: "Krypteret" }] }] };
    const env = setup({ answer: secureAnswer({ sensitivityLabelId: label }), labels });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.sensitivityLabel, label);
    assert.equal(env.state.headers["X-Sendevagt-Route"], "secure");
    const old = setup({ sets: { Mailbox: "1.12" }, answer: secureAnswer({ sensitivityLabelId: label }) });
    const r2 = await old.send();
    assert.deepEqual(r2.options, { allowEvent: true });
    assert.equal(old.state.sensitivityLabel, "");
    const failing = setup({ answer: secureAnswer({ sensitivityLabelId: label }), labels,
      failures: { "sensitivityLabel.setAsync": { code: 9000, name: "GenericError", message: "no Purview" } } });
    const r3 = await failing.send();
    expectOnce(r3);
    assert.deepEqual(r3.options, { allowEvent: true });
    assert.equal(failing.state.headers["X-Sendevagt-Route"], "secure");
    // Labels not enabled for the user, or the label not in the catalog: not set, the header stands.
    for (const l of [{ enabled: false, list: labels.list }, { enabled: true, list: [{ id: "0000", name: "Offentlig" }] }]) {
      const e = setup({ answer: secureAnswer({ sensitivityLabelId: label }), labels: l });
      const rr = await e.send();
      expectOnce(rr);
      assert.deepEqual(rr.options, { allowEvent: true });
      assert.equal(e.state.sensitivityLabel, "");
      assert.equal(e.called("sensitivityLabel.setAsync").length, 0);
      assert.equal(e.state.headers["X-Sendevagt-Route"], "secure");
    }
  });

  test("the tag is not doubled (any case)", async () => {
    const env = setup({ answer: secureAnswer({}), item: { subject: "SV: [SIKKER] Afgørelse" } });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.subject, "SV: [SIKKER] Afgørelse");
    assert.equal(env.called("subject.setAsync").length, 0);
  });

  test("without a policy tag only the header is set", async () => {
    const env = setup({ answer: secureAnswer({ subjectTag: "" }) });
    const r = await env.send();
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.headers["X-Sendevagt-Route"], "secure");
    assert.equal(env.state.subject, "Afgørelse om boligstøtte");
  });

  test("a long subject stays within Outlook's 255 characters", async () => {
    const env = setup({ answer: secureAnswer({}), item: { subject: "x".repeat(255) } });
    const r = await env.send();
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.subject.length, 255);
    assert.ok(env.state.subject.startsWith("[sikker] "));
  });

  const markingFailures = [
    { name: "header fails, tag set: allowed", failures: { "internetHeaders.setAsync": { code: 9000, name: "GenericError" } }, tag: "[sikker]", allow: true, subject: "[sikker] Afgørelse om boligstøtte" },
    { name: "header set, tag fails: allowed", failures: { "subject.setAsync": { code: 9000 } }, tag: "[sikker]", allow: true, header: true, subject: "Afgørelse om boligstøtte" },
    { name: "header fails, no policy tag: the default tag is the marking", failures: { "internetHeaders.setAsync": { code: 9000 } }, tag: "", allow: true, subject: "[sikker] Afgørelse om boligstøtte" },
    { name: "neither: blocked with the instruction", failures: { "internetHeaders.setAsync": { code: 9000 }, "subject.setAsync": { code: 9000 } }, tag: "[SIKKER]", allow: false },
    { name: "no header API (1.7) and the tag fails: blocked", sets: { Mailbox: "1.7" }, failures: { "subject.setAsync": { code: 9000 } }, tag: "", allow: false },
  ];
  for (const c of markingFailures) {
    test(`marking: ${c.name}`, async () => {
      const env = setup({ sets: c.sets, answer: secureAnswer({ subjectTag: c.tag }), failures: c.failures });
      const r = await env.send();
      expectOnce(r);
      if (c.allow) {
        assert.deepEqual(r.options, { allowEvent: true });
        assert.equal(env.state.subject, c.subject);
        if (c.header) {
          assert.equal(env.state.headers["X-Sendevagt-Route"], "secure");
        }
      } else {
        const tag = c.tag || "[sikker]";
        assert.deepEqual(r.options, {
          allowEvent: false,
          errorMessage: `Sendevagt kunne ikke markere mailen som sikker mail. Skriv ${tag} i emnet, og tryk Send igen.`,
        });
      }
    });
  }

  test("confirm on 1.14: not marked, 'Markér som sikker' opens the task pane", async () => {
    const env = setup({ sets: { Mailbox: "1.14" }, answer: secureAnswer({ confirm: true }) });
    const r = await env.send();
    expectOnce(r);
    const ctx = { scanId: "scan-secure", action: "secure", confirm: true, header: { name: "X-Sendevagt-Route", value: "secure" }, subjectTag: "[sikker]" };
    assert.deepEqual(r.options, {
      allowEvent: false,
      errorMessage: secureAnswer({}).message,
      cancelLabel: "Markér som sikker",
      commandId: "sendevagtTaskPaneButton",
      contextData: JSON.stringify(ctx),
    });
    assert.ok(r.options.cancelLabel.length <= 20);
    assert.deepEqual(env.state.headers, {});
    assert.equal(env.state.subject, "Afgørelse om boligstøtte");
    assert.deepEqual(JSON.parse(env.state.sessionData["sendevagt:last"]), ctx);
  });

  test("confirm on 1.15 adds the markdown", async () => {
    const env = setup({ answer: secureAnswer({ confirm: true }) });
    const r = await env.send();
    assert.equal(r.options.errorMessageMarkdown, secureAnswer({}).messageMarkdown);
    assert.equal(r.options.sendModeOverride, undefined);
  });

  test("confirm before 1.14: tells the employee to write the tag", async () => {
    const env = setup({ sets: { Mailbox: "1.13" }, answer: secureAnswer({ confirm: true, subjectTag: "" }) });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(r.options.errorMessage, `${secureAnswer({}).message} Skriv [sikker] i emnet, og tryk Send igen for at sende som sikker mail.`);
    assert.equal(r.options.cancelLabel, undefined);
    assert.deepEqual(env.state.headers, {});
  });
});

describe("fail mode", { concurrency: true }, () => {
  const scenarios = [
    { name: "timeout (the service never answers)", reason: "timeout", responder: () => "never" },
    { name: "service down (fetch rejects)", reason: "unreachable", responder: () => new Error("ECONNREFUSED") },
    { name: "401", reason: "login", responder: () => ({ status: 401, json: { error: { code: "unauthorized" } } }) },
    { name: "403", reason: "login", responder: () => ({ status: 403, json: {} }) },
    { name: "500", reason: "service", responder: () => ({ status: 500, json: { error: { code: "internal" } } }) },
    { name: "503", reason: "service", responder: () => ({ status: 503, json: {} }) },
    { name: "400", reason: "service", responder: () => ({ status: 400, json: {} }) },
    { name: "an answer that is not JSON", reason: "service", responder: () => ({ status: 200, text: "<html>" }) },
    { name: "an unknown action", reason: "service", responder: () => ({ status: 200, json: { action: "maybe" } }) },
    { name: "token failure", reason: "login", token: Object.assign(new Error("13001"), { code: 13001 }), noRequest: true },
    { name: "Outlook never hands over the body", reason: "timeout", delays: { "body.getAsync": Infinity } },
    { name: "the token never comes", reason: "timeout", delays: { getAccessToken: Infinity }, noRequest: true },
  ];
  for (const mode of ["warn", "block"]) {
    for (const s of scenarios) {
      test(`${mode}: ${s.name}`, async () => {
        const budget = s.reason === "timeout" ? SHORT : BUDGET;
        const env = setup({ config: { failMode: mode, budgetMs: budget }, responder: s.responder, token: s.token, delays: s.delays });
        const r = await env.send();
        expectOnce(r);
        if (mode === "warn") {
          assert.deepEqual(r.options, { allowEvent: false, errorMessage: warnText(why[s.reason]), sendModeOverride: "promptUser" });
        } else {
          assert.deepEqual(r.options, { allowEvent: false, errorMessage: blockText(why[s.reason]) });
        }
        assert.ok(r.options.errorMessage.length <= 500);
        if (s.reason === "timeout") {
          // A timer never fires early; on a loaded machine it may fire late (the bound only
          // catches a watchdog that did not fire at all before the response would have come).
          assert.ok(r.elapsed >= budget - 5 && r.elapsed < budget + LATE, `completed at ${r.elapsed} ms, budget ${budget}`);
        } else {
          assert.ok(r.elapsed < budget, `completed at ${r.elapsed} ms, before the budget`);
        }
        if (s.noRequest) {
          assert.equal(env.fetch.requests.length, 0);
        }
        if (s.reason === "timeout" && !s.noRequest && env.fetch.requests.length > 0) {
          assert.equal(env.fetch.requests[0].aborted, true, "the hanging request is aborted");
        }
        await sleep(budget - r.elapsed + 50);
        assert.equal(r.count, 1, "the watchdog must not complete a second time");
      });
    }
  }

  test("timeout without AbortController still completes once", async () => {
    const env = setup({ config: { budgetMs: SHORT }, responder: () => "never", abortController: false });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.errorMessage, warnText(why.timeout));
    await sleep(100);
    assert.equal(r.count, 1);
  });

  test("a service that answers after the watchdog does not complete again", async () => {
    const env = setup({ config: { budgetMs: SHORT }, responder: () => sleep(SHORT + 30).then(() => ({ status: 200, json: allowAnswer })), abortController: false });
    const r = await env.send();
    assert.equal(r.options.errorMessage, warnText(why.timeout));
    await sleep(150);
    assert.equal(r.count, 1);
  });

  test("Outlook failing to give the envelope is the fail mode, not silence", async () => {
    const env = setup({ failures: { "to.getAsync": { code: 9000, name: "GenericError", message: "x" } } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.match(r.options.errorMessage, /^Sendevagt kunne ikke kontrollere mailen, fordi /);
    assert.equal(r.options.sendModeOverride, "promptUser");
  });

  test("warn fail mode on 1.12: second Send of the same draft goes", async () => {
    const env = setup({ sets: { Mailbox: "1.12" }, responder: () => new Error("down") });
    let r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(r.options.sendModeOverride, undefined);
    assert.ok(r.options.errorMessage.startsWith(`Sendevagt kunne ikke kontrollere mailen, fordi ${why.unreachable}.`));
    assert.ok(r.options.errorMessage.endsWith("tryk derefter Send igen for at sende alligevel."), r.options.errorMessage);
    r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
  });

  test("warn fail mode without session data (1.10) blocks", async () => {
    const env = setup({ sets: { Mailbox: "1.10" }, responder: () => new Error("down") });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: false, errorMessage: blockText(why.unreachable) });
  });

  test("an unknown fail mode is warn", async () => {
    const env = setup({ config: { failMode: "whatever" }, responder: () => new Error("down") });
    const r = await env.send();
    assert.equal(r.options.sendModeOverride, "promptUser");
  });
});

describe("data path", { concurrency: true }, () => {
  for (const hostName of ["OutlookWebApp", "newOutlookWindows"]) {
    test(`Graph mode on ${hostName}: save, REST id, no inline content`, async () => {
      const env = setup({ hostName, config: { graph: true }, item: { ewsId: "AAMk/ews+id=", restId: "AAMk-rest_id=" } });
      const r = await env.send();
      expectOnce(r);
      assert.deepEqual(r.options, { allowEvent: true });
      assert.equal(env.called("saveAsync").length, 1);
      assert.deepEqual(env.called("convertToRestId")[0].args, ["AAMk/ews+id=", "v2.0"]);
      const [req] = onsendRequests(env);
      assert.equal(req.body.itemId, "AAMk-rest_id=");
      assert.equal(req.body.inline, undefined);
      assert.equal(env.called("body.getAsync").length, 0);
      assert.equal(env.called("getAttachmentContentAsync").length, 0);
    });
  }

  test("classic Outlook with Graph on still sends inline, body as text", async () => {
    const env = setup({ hostName: "Outlook", config: { graph: true } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(env.called("saveAsync").length, 0);
    assert.deepEqual(env.called("body.getAsync")[0].args, ["text"]);
    const [req] = onsendRequests(env);
    assert.equal(req.body.itemId, undefined);
    assert.deepEqual(req.body.inline.body, { contentType: "text", content: baseItem().bodyText });
  });

  test("the web without Graph sends inline, body as HTML", async () => {
    const env = setup({ hostName: "OutlookWebApp", config: { graph: false } });
    await env.send();
    assert.equal(env.called("saveAsync").length, 0);
    assert.deepEqual(env.called("body.getAsync")[0].args, ["html"]);
    assert.deepEqual(onsendRequests(env)[0].body.inline.body, { contentType: "html", content: baseItem().bodyHtml });
  });

  test("saveAsync failure falls back to inline", async () => {
    const env = setup({ hostName: "OutlookWebApp", config: { graph: true }, failures: { saveAsync: { code: 9021, name: "SaveError" } } });
    const r = await env.send();
    expectOnce(r);
    const reqs = onsendRequests(env);
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].body.itemId, undefined);
    assert.equal(reqs[0].body.inline.attachments[0].contentBase64, "JVBERi0=");
  });

  test("a draft Graph cannot read yet (resendInline) is sent again inline", async () => {
    const env = setup({
      hostName: "newOutlookWindows",
      config: { graph: true },
      responder: (req, i) => {
        if (i === 0) {
          return { json: { ...warnAnswer, resendInline: true, reasons: [{ code: "item_not_synced", action: "warn" }] } };
        }
        return { json: blockAnswer };
      },
    });
    const r = await env.send();
    expectOnce(r);
    const reqs = onsendRequests(env);
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0].body.inline, undefined);
    assert.ok(reqs[1].body.inline, "the retry carries the content");
    assert.equal(reqs[1].body.itemId, reqs[0].body.itemId);
    assert.equal(r.options.errorMessage, blockAnswer.message);
  });

  test("resendInline near the end of the budget: the answer stands", async () => {
    // budget 4000: a retry needs 250 ms; the answer comes when the handler's clock says 3850 ms
    // have passed (moved forward, not waited for, so a loaded machine cannot reach the watchdog).
    const clock = { offset: 0 };
    const env = setup({
      hostName: "OutlookWebApp",
      clock,
      config: { graph: true, budgetMs: 4000 },
      responder: () => {
        clock.offset = 3850;
        return { json: { ...warnAnswer, resendInline: true } };
      },
    });
    const r = await env.send();
    expectOnce(r);
    assert.equal(onsendRequests(env).length, 1);
    assert.equal(r.options.errorMessage, warnAnswer.message);
    assert.equal(r.options.sendModeOverride, "promptUser");
  });

  test("attachments: base64, eml and iCalendar encoded, cloud and too large omitted, failed reads unavailable", async () => {
    const eml = "From: a@b.dk\r\nSubject: Bilag til Søren Ærø\r\n\r\nHej — CPR 010190-1234 😀 slut\r\n";
    const ical = "BEGIN:VCALENDAR\r\nSUMMARY:Møde\r\nEND:VCALENDAR\r\n";
    const env = setup({
      config: { maxAttachmentBytes: 1000, maxInlineBytes: 1500 },
      item: {
        attachments: [
          { id: "0", name: "Brev.pdf", size: 5, contentType: "application/pdf", base64: "JVBERi0=" },
          { id: "1", name: "Videresendt.eml", size: 200, contentType: "message/rfc822", attachmentType: "item", eml },
          { id: "2", name: "Møde.ics", size: 80, attachmentType: "item", ical },
          { id: "3", name: "Deling.docx", size: 50, attachmentType: "cloud", url: "https://kommune.sharepoint.com/x" },
          { id: "4", name: "Stor.pdf", size: 5000, base64: "AAAA" },
          { id: "5", name: "Mellem.pdf", size: 900, base64: "AAAA" },
          { id: "6", name: "Mellem2.pdf", size: 900, base64: "AAAA" },
          { id: "7", name: "Låst.pdf", size: 10, base64: "AAAA" },
          { id: "8", name: "Link.url", size: 10, attachmentType: "file", url: "https://example.dk/x" },
          { id: "9", name: "image001.png", size: 4, contentType: "image/png", isInline: true, base64: "iVBORw==" },
        ],
      },
      failures: { "getAttachmentContentAsync:7": { code: 9000, name: "GenericError" } },
    });
    const r = await env.send();
    expectOnce(r);
    const atts = onsendRequests(env)[0].body.inline.attachments;
    assert.deepEqual(atts.map((a) => a.name), ["Brev.pdf", "Videresendt.eml", "Møde.ics", "Deling.docx", "Stor.pdf", "Mellem.pdf", "Mellem2.pdf", "Låst.pdf", "Link.url", "image001.png"], "no attachment is dropped, order kept");
    assert.deepEqual(atts[0], { name: "Brev.pdf", contentType: "application/pdf", size: 5, attachmentType: "file", contentBase64: "JVBERi0=" });
    assert.equal(atts[1].contentBase64, Buffer.from(eml, "utf8").toString("base64"));
    assert.equal(Buffer.from(atts[1].contentBase64, "base64").toString("utf8"), eml);
    assert.equal(atts[1].contentType, "message/rfc822");
    assert.equal(atts[1].attachmentType, "item");
    assert.equal(atts[2].contentBase64, Buffer.from(ical, "utf8").toString("base64"));
    assert.equal(atts[2].contentType, "text/calendar");
    assert.deepEqual(atts[3], { name: "Deling.docx", contentType: "application/octet-stream", size: 50, attachmentType: "cloud", omitted: "cloud" });
    assert.deepEqual(atts[4], { name: "Stor.pdf", contentType: "application/octet-stream", size: 5000, attachmentType: "file", omitted: "too_large" });
    assert.equal(atts[5].contentBase64, "AAAA");
    assert.equal(atts[6].omitted, "too_large", "beyond maxInlineBytes in total");
    assert.equal(atts[6].contentBase64, undefined);
    assert.equal(atts[7].omitted, "unavailable");
    assert.equal(atts[7].contentBase64, undefined);
    assert.equal(atts[8].omitted, "cloud", "content in url format is a link");
    assert.deepEqual(atts[9], { name: "image001.png", contentType: "image/png", size: 4, attachmentType: "file", isInline: true, contentBase64: "iVBORw==" }, "a picture of the body says so");
    const read = env.called("getAttachmentContentAsync").map((c) => c.args[0]);
    assert.ok(!read.includes("3") && !read.includes("4") && !read.includes("6"), "omitted attachments are not read");
  });

  test("upload: attachments as binary parts beside the JSON, or JSON when there is nothing to upload", async () => {
    const pdf = Buffer.from("%PDF-1.7\r\n--sendevagt-\r\n\u0000\u00ff binary", "latin1");
    const item = { attachments: [
      { id: "0", name: "Brev.pdf", size: pdf.length, contentType: "application/pdf", base64: pdf.toString("base64") },
      { id: "1", name: "Deling.docx", size: 50, attachmentType: "cloud", url: "https://kommune.sharepoint.com/x" },
      { id: "2", name: "Linjer.txt", size: 6, base64: "aGVq\r\nZGV0" },
    ] };
    const env = setup({ item });
    expectOnce(await env.send());
    const [req] = onsendRequests(env);
    assert.match(req.headers["content-type"], /^multipart\/form-data; boundary=/);
    const sent = JSON.parse(Buffer.from(req.parts.request).toString("utf8")).inline.attachments;
    assert.deepEqual(sent.map((a) => [a.part, a.contentBase64]), [["a0", undefined], [undefined, undefined], ["a1", undefined]], "the JSON names parts and holds no base64");
    assert.deepEqual(Buffer.from(req.parts.a0), pdf, "the bytes arrive as they are");
    assert.equal(Buffer.from(req.parts.a1).toString(), "hejdet");
    for (const itemOf of [{ attachments: [] }, { attachments: [item.attachments[1]] }]) {
      const plain = setup({ item: itemOf });
      expectOnce(await plain.send());
      const [r] = onsendRequests(plain);
      assert.equal(r.headers["content-type"], "application/json");
      assert.equal(typeof r.raw, "string");
    }
  });

  test("the base64 decoder matches Node's and refuses what is not base64", () => {
    const S = setup().context.Sendevagt;
    const bytes = Buffer.alloc(1000);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = (i * 131) & 0xff;
    }
    for (let n = 0; n < 8; n++) {
      const b = bytes.subarray(0, n * 37);
      assert.deepEqual(Buffer.from(S.base64Decode(b.toString("base64"))), b);
      assert.deepEqual(Buffer.from(S.base64Decode(b.toString("base64url"))), b, "URL-safe, unpadded");
    }
    assert.equal(S.base64Decode("aGVq!"), null);
    assert.equal(S.base64Decode("aGVq=x"), null);
  });

  test("the UTF-8 and base64 encoders match Node's for awkward text", () => {
    const env = setup();
    const S = env.context.Sendevagt;
    const samples = ["", "a", "ab", "abc", "æøå ÆØÅ", "€ 😀 𝄞", "lone \uD800 surrogate \uDC00 end", "x".repeat(100000) + "ø"];
    for (const s of samples) {
      assert.equal(S.base64(S.utf8(s)), Buffer.from(s, "utf8").toString("base64"), JSON.stringify(s.slice(0, 30)));
    }
    const bytes = Array.from({ length: 256 }, (_, i) => i);
    assert.equal(S.base64(bytes), Buffer.from(bytes).toString("base64"));
  });

  test("no btoa, window or document is needed", async () => {
    const env = setup();
    assert.equal(env.context.btoa, undefined);
    assert.equal(env.context.window, undefined);
    assert.equal(env.context.document, undefined);
    const r = await env.send();
    expectOnce(r);
  });
});

describe("nested app authentication", { concurrency: true }, () => {
  test("NAA when MSAL is there and NestedAppAuth 1.1 is supported", async () => {
    const env = setup({ sets: { NestedAppAuth: "1.1" }, naa: { token: "token-naa" }, config: { msal: true } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(onsendRequests(env)[0].headers.authorization, "Bearer token-naa");
    assert.deepEqual(env.called("createNestablePublicClientApplication")[0].args[0], {
      auth: { clientId: "cid", authority: "https://login.microsoftonline.com/organizations" },
    });
    assert.deepEqual(env.called("acquireTokenSilent")[0].args[0], { scopes: ["api://sendevagt.kommune.dk/cid/access_as_user"] });
    assert.equal(env.called("getAccessToken").length, 0);
    assert.equal(env.called("acquireTokenPopup").length, 0);
  });

  test("NAA failure falls back to Office SSO", async () => {
    const env = setup({ sets: { NestedAppAuth: "1.1" }, naa: { token: new Error("ServerError") }, config: { msal: true } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(onsendRequests(env)[0].headers.authorization, "Bearer token-sso");
    assert.equal(env.called("acquireTokenPopup").length, 0);
  });

  test("no NAA without NestedAppAuth 1.1 or with msal off", async () => {
    for (const o of [{ sets: { NestedAppAuth: null }, config: { msal: true } }, { sets: { NestedAppAuth: "1.1" }, config: { msal: false } }]) {
      const env = setup({ ...o, naa: { token: "token-naa" } });
      await env.send();
      assert.equal(onsendRequests(env)[0].headers.authorization, "Bearer token-sso");
      assert.equal(env.called("createNestablePublicClientApplication").length, 0);
    }
  });
});

describe("pre-scan", { concurrency: true }, () => {
  const sha = (n) => String(n).repeat(64).slice(0, 64);
  const prescanResponder = (onsend) => (req) => {
    if (req.url === `${API}/api/v1/prescan`) {
      return { json: { policyVersion: 3, attachments: req.body.attachments.map((a, i) => ({ name: a.name, sha256: sha(i + 1), status: "scanned" })) } };
    }
    return { json: onsend ? onsend(req) : allowAnswer };
  };
  const twoAttachments = [
    { id: "0", name: "Afgørelse.pdf", size: 5, contentType: "application/pdf", base64: "JVBERi0=" },
    { id: "1", name: "Bilag.docx", size: 4, base64: "UEsDBA==" },
  ];

  for (const handler of ["attachmentsChanged", "recipientsChanged"]) {
    test(`${handler}: pre-scans new attachments into the session data map`, async () => {
      const env = setup({ item: { attachments: twoAttachments }, responder: prescanResponder() });
      const r = await env[handler]();
      expectOnce(r);
      assert.equal(r.args.length, 0, "completed() without options");
      const [req] = env.fetch.requests;
      assert.equal(req.url, `${API}/api/v1/prescan`);
      assert.equal(req.headers.authorization, "Bearer token-sso");
      assert.deepEqual(req.body.attachments.map((a) => [a.name, a.contentBase64]), [["Afgørelse.pdf", "JVBERi0="], ["Bilag.docx", "UEsDBA=="]]);
      const fp = env.context.Sendevagt.contentFingerprint;
      assert.deepEqual(JSON.parse(env.state.sessionData["sendevagt:prescan"]), {
        0: { name: "Afgørelse.pdf", size: 5, sha256: sha(1), status: "scanned", fp: fp("JVBERi0="), problem: false },
        1: { name: "Bilag.docx", size: 4, sha256: sha(2), status: "scanned", fp: fp("UEsDBA=="), problem: false },
      });
    });
  }

  test("only new attachments are sent; removed ones leave the map", async () => {
    const env = setup({ item: { attachments: twoAttachments }, responder: prescanResponder() });
    await env.attachmentsChanged();
    env.state.attachments.push({ id: "2", name: "Ny.pdf", size: 3, base64: "AAAA" });
    let r = await env.attachmentsChanged();
    expectOnce(r);
    assert.equal(env.fetch.requests.length, 2);
    assert.deepEqual(env.fetch.requests[1].body.attachments.map((a) => a.name), ["Ny.pdf"]);
    env.state.attachments.splice(0, 1);
    r = await env.attachmentsChanged();
    expectOnce(r);
    assert.equal(env.fetch.requests.length, 2, "nothing new to pre-scan");
    assert.deepEqual(Object.keys(JSON.parse(env.state.sessionData["sendevagt:prescan"])).sort(), ["1", "2"]);
  });

  test("an id reused for another file (classic index ids) is pre-scanned again", async () => {
    const env = setup({ item: { attachments: twoAttachments }, responder: prescanResponder() });
    await env.attachmentsChanged();
    env.state.attachments = [{ id: "0", name: "Bilag.docx", size: 4, base64: "UEsDBA==" }];
    await env.attachmentsChanged();
    assert.equal(env.fetch.requests.length, 2);
    assert.deepEqual(env.fetch.requests[1].body.attachments.map((a) => a.name), ["Bilag.docx"]);
  });

  test("on Send, pre-scanned attachments go as sha256 without content", async () => {
    const env = setup({ item: { attachments: [...twoAttachments, { id: "2", name: "Sen.pdf", size: 3, base64: "AAAA" }] }, responder: prescanResponder() });
    env.state.attachments.splice(2, 1);
    await env.attachmentsChanged();
    env.state.attachments.push({ id: "2", name: "Sen.pdf", size: 3, base64: "AAAA" });
    const r = await env.send();
    expectOnce(r);
    const atts = onsendRequests(env)[0].body.inline.attachments;
    assert.deepEqual(atts[0], { name: "Afgørelse.pdf", contentType: "application/pdf", size: 5, attachmentType: "file", sha256: sha(1) });
    assert.equal(atts[1].sha256, sha(2));
    assert.equal(atts[1].contentBase64, undefined);
    assert.equal(atts[2].contentBase64, "AAAA", "a later attachment goes with content");
    assert.equal(atts[2].sha256, undefined);
  });

  test("content_required: one resend with all content", async () => {
    let onsendCount = 0;
    const env = setup({
      item: { attachments: twoAttachments },
      responder: prescanResponder(() => {
        onsendCount++;
        return { ...warnAnswer, resendInline: true, reasons: [{ code: "content_required", action: "warn" }] };
      }),
    });
    await env.attachmentsChanged();
    const r = await env.send();
    expectOnce(r);
    const reqs = onsendRequests(env);
    assert.equal(reqs.length, 2, "exactly one resend, even when the second answer asks again");
    assert.equal(onsendCount, 2);
    assert.ok(reqs[0].body.inline.attachments.every((a) => a.sha256 && a.contentBase64 === undefined));
    assert.ok(reqs[1].body.inline.attachments.every((a) => a.contentBase64 && a.sha256 === undefined));
    assert.equal(r.options.errorMessage, warnAnswer.message);
  });

  const swallowed = [
    { name: "service error", responder: () => ({ status: 500, json: {} }) },
    { name: "service down", responder: () => new Error("down") },
    { name: "token failure", token: new Error("no token") },
    { name: "attachment list failure", failures: { getAttachmentsAsync: { code: 9000 } } },
    { name: "content read failure", failures: { getAttachmentContentAsync: { code: 9000 } } },
    { name: "session data failure", failures: { "sessionData.setAsync": { code: 9000 } }, responder: prescanResponder() },
  ];
  for (const s of swallowed) {
    test(`errors are swallowed: ${s.name}`, async () => {
      const env = setup({ item: { attachments: twoAttachments }, responder: s.responder ?? prescanResponder(), token: s.token, failures: s.failures });
      const r = await env.attachmentsChanged();
      expectOnce(r);
      assert.equal(r.args.length, 0);
      assert.equal(env.state.sessionData["sendevagt:prescan"], undefined);
      await sleep(30);
      assert.equal(r.count, 1);
    });
  }

  test("a hanging pre-scan completes at its own budget", async () => {
    const env = setup({ item: { attachments: twoAttachments }, responder: () => "never", config: { prescanBudgetMs: 150 } });
    const r = await env.attachmentsChanged();
    expectOnce(r);
    assert.ok(r.elapsed >= 145 && r.elapsed < 150 + LATE, `completed at ${r.elapsed} ms`);
    assert.equal(env.fetch.requests[0].aborted, true);
  });

  test("without session data (1.10) it still pre-scans but keeps nothing", async () => {
    const env = setup({ sets: { Mailbox: "1.10" }, item: { attachments: twoAttachments }, responder: prescanResponder() });
    const r = await env.attachmentsChanged();
    expectOnce(r);
    assert.equal(env.fetch.requests.length, 1);
    assert.deepEqual(env.state.sessionData, {});
    await env.send();
    assert.ok(onsendRequests(env)[0].body.inline.attachments.every((a) => a.contentBase64 && !a.sha256));
  });

  test("without attachment APIs (1.7) it does nothing", async () => {
    const env = setup({ sets: { Mailbox: "1.7" }, responder: prescanResponder() });
    const r = await env.attachmentsChanged();
    expectOnce(r);
    assert.equal(env.fetch.requests.length, 0);
  });

  test("cloud and oversized attachments are not pre-scanned", async () => {
    const env = setup({
      config: { maxAttachmentBytes: 100 },
      item: { attachments: [{ id: "0", name: "Sky.docx", size: 5, attachmentType: "cloud", url: "https://x" }, { id: "1", name: "Stor.pdf", size: 500, base64: "AAAA" }] },
      responder: prescanResponder(),
    });
    const r = await env.attachmentsChanged();
    expectOnce(r);
    assert.equal(env.fetch.requests.length, 0);
  });
});

describe("logging", { concurrency: true }, () => {
  test("log lines hold no subject, address, name, body, file name or token", async () => {
    const envs = [
      setup({ answer: warnAnswer }),
      setup({ answer: secureAnswer({}), failures: { "internetHeaders.setAsync": { code: 9000 } } }),
      setup({ responder: () => new Error("down"), item: { attachments: [{ id: "0", name: "Hemmelig.pdf", size: 3, base64: "AAAA" }] } }),
      setup({ token: new Error("token-sso failed") }),
      setup({ hostName: "OutlookWebApp", config: { graph: true }, failures: { saveAsync: { code: 9021 } } }),
    ];
    const secrets = ["Afgørelse", "boligstøtte", "jens", "Jens", "example.dk", "kommune.dk", "010190", "token-", "Hemmelig", "Kære"];
    for (const env of envs) {
      await env.send();
      await env.attachmentsChanged();
      assert.ok(env.logs.length > 0);
      for (const line of env.logs) {
        assert.ok(line.startsWith("Sendevagt: "), line);
        assert.ok(line.length < 200, line);
        for (const s of secrets) {
          assert.ok(!line.includes(s), `log line leaks ${s}: ${line}`);
        }
      }
    }
  });
});
