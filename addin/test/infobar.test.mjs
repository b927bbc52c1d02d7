// Info bar: after a pre-scan the draft is checked as a preview (not audited by the service) and a
// problem is shown at once in the compose window, with "Se detaljer" opening the task pane where
// the requirement set allows it; an allow removes the message.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setup, expectOnce, warnAnswer, allowAnswer } from "./helpers.mjs";

const prescan = (req) => ({ status: 200, json: { attachments: req.body.attachments.map(() => ({ sha256: "a".repeat(64), status: "scanned" })) } });

describe("info bar", { concurrency: true }, () => {
  test("warning found by the preview: insight message with Se detaljer (1.10+)", async () => {
    const env = setup({ config: { preview: true }, answer: warnAnswer, routes: { "/api/v1/prescan": prescan } });
    const r = await env.run("onAttachmentsChangedHandler");
    expectOnce(r);
    const [pre] = env.requests("/api/v1/onsend");
    assert.equal(pre.body.preview, true);
    assert.equal(pre.body.inline.attachments[0].sha256, "a".repeat(64), "the preview uses the pre-scan");
    const msg = env.state.notifications.sendevagtPreview;
    assert.equal(msg.type, "insightMessage");
    assert.match(msg.message, /^Sendevagt: Mailen indeholder personoplysninger/);
    assert.ok(msg.message.length <= 150);
    assert.equal(msg.actions[0].actionText, "Se detaljer");
    assert.equal(msg.actions[0].commandId, "sendevagtTaskPaneButton");
    assert.deepEqual(JSON.parse(msg.actions[0].contextData), { preview: true, action: "warn" });
  });

  test("before 1.10: an informational message without actions", async () => {
    const env = setup({ sets: { Mailbox: "1.9" }, config: { preview: true }, answer: { ...warnAnswer, action: "block" }, routes: { "/api/v1/prescan": prescan } });
    const r = await env.run("onRecipientsChangedHandler");
    expectOnce(r);
    const msg = env.state.notifications.sendevagtPreview;
    assert.equal(msg.type, "informationalMessage");
    assert.equal(msg.actions, undefined);
    assert.match(msg.message, /kan ikke sendes.*Åbn Sendevagt i båndet/);
    assert.ok(msg.message.length <= 150);
  });

  test("a later allow removes the message", async () => {
    let answer = warnAnswer;
    const env = setup({ config: { preview: true }, routes: { "/api/v1/prescan": prescan, "/api/v1/onsend": () => ({ status: 200, json: answer }) } });
    await env.run("onAttachmentsChangedHandler");
    assert.ok(env.state.notifications.sendevagtPreview);
    answer = allowAnswer;
    const r = await env.run("onRecipientsChangedHandler");
    expectOnce(r);
    assert.equal(env.state.notifications.sendevagtPreview, undefined);
  });

  test("preview off (the default of the file): no check, no message", async () => {
    const env = setup({ answer: warnAnswer, routes: { "/api/v1/prescan": prescan } });
    const r = await env.run("onAttachmentsChangedHandler");
    expectOnce(r);
    assert.equal(env.requests("/api/v1/onsend").length, 0);
    assert.deepEqual(env.state.notifications, {});
  });

  test("the service down during the preview: completed once, no message", async () => {
    const env = setup({ config: { preview: true }, routes: { "/api/v1/prescan": prescan, "/api/v1/onsend": () => new Error("down") } });
    const r = await env.run("onAttachmentsChangedHandler");
    expectOnce(r);
    assert.deepEqual(env.state.notifications, {});
  });

  test("the task pane opened from the info bar runs the check itself", async () => {
    // contextData {preview:true} has no scanId: the pane checks the draft on opening.
    const env = setup({ config: { preview: true }, answer: warnAnswer, routes: { "/api/v1/prescan": prescan } });
    await env.run("onAttachmentsChangedHandler");
    const ctx = JSON.parse(env.state.notifications.sendevagtPreview.actions[0].contextData);
    assert.equal(ctx.scanId, undefined);
    assert.equal(ctx.preview, true);
  });

  test("on the web (Graph reads large files on Send) the preview leaves out what is too large to send inline", async () => {
    const big = { id: "1", name: "Stor.pdf", size: 40, contentType: "application/pdf", base64: "QUFB" };
    const env = setup({
      hostName: "OutlookWebApp",
      config: { preview: true, graph: true, maxAttachmentBytes: 10 },
      item: { attachments: [{ id: "0", name: "Lille.pdf", size: 4, base64: "QUFB" }, big] },
      routes: { "/api/v1/prescan": prescan },
    });
    await env.run("onAttachmentsChangedHandler");
    const [pre] = env.requests("/api/v1/onsend");
    assert.deepEqual(pre.body.inline.attachments.map((a) => a.name), ["Lille.pdf"]);
    const classic = setup({
      hostName: "Outlook",
      config: { preview: true, maxAttachmentBytes: 10 },
      item: { attachments: [{ id: "0", name: "Lille.pdf", size: 4, base64: "QUFB" }, big] },
      routes: { "/api/v1/prescan": prescan },
    });
    await classic.run("onAttachmentsChangedHandler");
    const [pc] = classic.requests("/api/v1/onsend");
    assert.deepEqual(pc.body.inline.attachments.map((a) => [a.name, a.omitted]), [["Lille.pdf", undefined], ["Stor.pdf", "too_large"]]);
  });
});
