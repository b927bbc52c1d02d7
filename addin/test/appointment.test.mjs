// OnAppointmentSend: a meeting invitation is checked like a mail. The attendees are the
// recipients (required → to, optional → cc), the organiser the sender, the body and the
// attachments go inline (Graph's /messages cannot read a meeting being organised), and the
// verdicts are the same; appointments have no internet headers, so secure means the subject tag.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setup, expectOnce, warnAnswer } from "./helpers.mjs";

const invite = (o = {}) => ({
  itemType: "appointment",
  item: {
    subject: "Møde om handleplan",
    to: [{ displayName: "Karen Testesen", emailAddress: "karen.testesen@example.dk" }],
    cc: [{ displayName: "Bisidder", emailAddress: "bisidder@example.org" }],
    bodyText: "Dagsorden vedhæftet.",
    attachments: [{ id: "0", name: "Handleplan.pdf", size: 5, contentType: "application/pdf", base64: "JVBERi0=" }],
  },
  ...o,
});

describe("meeting invitations", { concurrency: true }, () => {
  test("attendees, organiser, body and attachments reach the service; allow sends", async () => {
    const env = setup(invite());
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    const [req] = env.requests("/api/v1/onsend");
    assert.equal(req.body.itemType, "appointment");
    assert.deepEqual(req.body.recipients.to, [{ name: "Karen Testesen", address: "karen.testesen@example.dk" }]);
    assert.deepEqual(req.body.recipients.cc, [{ name: "Bisidder", address: "bisidder@example.org" }]);
    assert.deepEqual(req.body.recipients.bcc, []);
    assert.equal(req.body.from.address, "sagsbehandler@kommune.dk");
    assert.equal(req.body.inline.body.content, "Dagsorden vedhæftet.");
    assert.equal(req.body.inline.attachments[0].contentBase64, "JVBERi0=");
    assert.equal(env.called("requiredAttendees.getAsync").length, 1);
    assert.equal(env.called("optionalAttendees.getAsync").length, 1);
    assert.equal(env.called("organizer.getAsync").length, 1);
  });

  test("on the web with Graph on, a meeting still goes inline (no save, no item id)", async () => {
    const env = setup(invite({ hostName: "OutlookWebApp", config: { graph: true } }));
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    const [req] = env.requests("/api/v1/onsend");
    assert.ok(req.body.inline);
    assert.equal(env.called("saveAsync").length, 0);
    assert.equal(req.body.inline.body.contentType, "html");
  });

  test("warn: Send anyway, and Take action opens the appointment's task pane button", async () => {
    const env = setup(invite({ answer: warnAnswer }));
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(r.options.sendModeOverride, "promptUser");
    assert.equal(r.options.commandId, "sendevagtAppointmentTaskPaneButton");
  });

  test("block stops the invitation", async () => {
    const env = setup(invite({ answer: { scanId: "b", action: "block", reasons: [], message: "Stop." } }));
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(r.options.errorMessage, "Stop.");
    assert.equal(r.options.sendModeOverride, undefined);
  });

  test("secure without headers: the subject tag marks the invitation, then it is sent", async () => {
    const env = setup(invite({ answer: { scanId: "s", action: "secure", reasons: [], message: "Sikker.", secure: { header: { name: "X-Sendevagt-Route", value: "secure" }, subjectTag: "", confirm: false } } }));
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.subject, "[sikker] Møde om handleplan");
  });

  test("the service down: the fail mode, completed once", async () => {
    const env = setup(invite({ responder: () => new Error("down") }));
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.match(r.options.errorMessage, /tjenesten kunne ikke nås/);
  });
});
