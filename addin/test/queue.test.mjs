// The Office call queue: at most officeConcurrency (3) calls at once, Outlook's transient errors
// (5001 "Internal Error", 5100 "API Call Failed") retried once. The fake Office refuses a call
// beyond three in flight the way classic Outlook does (5100).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createOutlook } from "./fakeoffice.mjs";
import { setup, expectOnce, sleep } from "./helpers.mjs";

const many = () =>
  Array.from({ length: 8 }, (_, i) => ({ id: String(i), name: `bilag-${i}.pdf`, size: 4, contentType: "application/pdf", base64: "JVBE" }));

describe("office queue", { concurrency: true }, () => {
  test("the fake refuses a fourth simultaneous call with 5100", async () => {
    const o = createOutlook({ delays: { "subject.getAsync": 30 } });
    const results = [];
    await new Promise((resolve) => {
      for (let i = 0; i < 4; i++) {
        o.Office.context.mailbox.item.subject.getAsync((r) => {
          results.push(r);
          if (results.length === 4) {
            resolve();
          }
        });
      }
    });
    const failed = results.filter((r) => r.status === "failed");
    assert.equal(failed.length, 1);
    assert.equal(failed[0].error.code, 5100);
    assert.equal(failed[0].error.name, "API Call Failed");
    assert.equal(o.stats.maxActive, 3);
    assert.equal(o.stats.rejected, 1);
  });

  test("Send with eight attachments never has more than three calls in flight", async () => {
    const env = setup({ item: { attachments: many() }, delays: { "getAttachmentContentAsync": 5, "to.getAsync": 5 } });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.stats.rejected, 0, "no call was refused");
    assert.equal(env.stats.maxActive, 3);
    const body = env.requests("/api/v1/onsend")[0].body;
    assert.equal(body.inline.attachments.filter((a) => a.contentBase64 === "JVBE").length, 8);
  });

  test("the pre-scan keeps the limit too", async () => {
    const env = setup({
      item: { attachments: many() },
      delays: { "getAttachmentContentAsync": 5 },
      routes: { "/api/v1/prescan": (req) => ({ status: 200, json: { attachments: req.body.attachments.map(() => ({ sha256: "a".repeat(64), status: "scanned" })) } }) },
    });
    const r = await env.run("onAttachmentsChangedHandler");
    expectOnce(r);
    assert.equal(env.stats.rejected, 0);
    assert.ok(env.stats.maxActive <= 3);
    assert.equal(env.requests("/api/v1/prescan").length, 1);
  });

  test("officeConcurrency 1 runs one call at a time", async () => {
    const env = setup({ item: { attachments: many().slice(0, 3) }, config: { officeConcurrency: 1 }, delays: { "getAttachmentContentAsync": 2 } });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.stats.maxActive, 1);
  });

  for (const [code, name] of [[5001, "Internal Error"], [5100, "API Call Failed"]]) {
    test(`a transient ${code} is retried once and the check goes on`, async () => {
      const env = setup({ failures: { "body.getAsync": { code, name, times: 1 } }, config: { officeRetryMs: 5 } });
      const r = await env.send();
      expectOnce(r);
      assert.deepEqual(r.options, { allowEvent: true });
      assert.equal(env.called("body.getAsync").length, 2);
      assert.equal(env.requests("/api/v1/onsend").length, 1);
    });
  }

  test("a lasting 5001 is tried twice, then the fail mode", async () => {
    const env = setup({ failures: { "subject.getAsync": { code: 5001, name: "Internal Error" } }, config: { officeRetryMs: 5 } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(env.called("subject.getAsync").length, 2);
    assert.equal(env.fetch.requests.length, 0);
  });

  test("other Office errors are not retried", async () => {
    const env = setup({ failures: { "getAttachmentContentAsync:0": { code: 9043, name: "AttachmentTypeNotSupported" } } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(env.called("getAttachmentContentAsync").length, 1);
    assert.equal(env.requests("/api/v1/onsend")[0].body.inline.attachments[0].omitted, "unavailable");
  });

  test("a call that never answers frees its slot after officeCallTimeoutMs", async () => {
    const env = setup({ config: { officeConcurrency: 1, officeCallTimeoutMs: 50, budgetMs: 3000 }, delays: { "subject.getAsync": Infinity } });
    const call = (m, label) => env.context.Sendevagt.call(env.Office.context.mailbox.item[m], "getAsync", [], label);
    const stuck = call("subject", "subject");
    const next = await call("to", "to");
    assert.equal(next.length, 1);
    void stuck;
    await sleep(1);
  });
});

describe("small platform items", { concurrency: true }, () => {
  test("classic: a failed fetch is tried once more within the budget", async () => {
    const env = setup({ hostName: "Outlook", responder: (req, i) => (i === 0 ? new Error("Network request failed") : { status: 200, json: { scanId: "a", action: "allow", reasons: [] } }) });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.fetch.requests.length, 2);
  });

  test("the web: no fetch retry (the browser's own network stack)", async () => {
    const env = setup({ hostName: "OutlookWebApp", responder: () => new Error("down") });
    const r = await env.send();
    expectOnce(r);
    assert.equal(env.fetch.requests.length, 1);
  });

  test("Office.onReady is called in a browser runtime, not in classic's", async () => {
    const { createOutlook, loadLaunchEvent } = await import("./fakeoffice.mjs");
    for (const browser of [true, false]) {
      const o = createOutlook();
      let called = 0;
      o.Office.onReady = () => {
        called++;
        return Promise.resolve({});
      };
      const source = (browser ? "var window = this;\n" : "") + (await import("node:fs")).readFileSync(new URL("../launchevent.js", import.meta.url), "utf8");
      loadLaunchEvent({ ...o, source });
      assert.equal(called, browser ? 1 : 0);
    }
  });

  test("the confirm button is named for what it does", async () => {
    const env = setup({ answer: { scanId: "s", action: "secure", reasons: [], message: "Sikker.", secure: { header: { name: "X-Sendevagt-Route", value: "secure" }, confirm: true } } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.cancelLabel, "Markér som sikker");
    assert.ok(r.options.cancelLabel.length <= 20);
  });
});
