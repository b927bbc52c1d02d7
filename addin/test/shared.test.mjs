// Shared and delegated mailboxes: the add-in finds the mailbox that holds the draft
// (item.getSharedPropertiesAsync) and names it in the request, so the service reads the draft
// through Graph at /users/{shared}/messages/{id}; without read permission it sends inline.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setup, expectOnce } from "./helpers.mjs";

const shared = "ydelse@kommune.dk";

describe("shared mailboxes", { concurrency: true }, () => {
  test("own mailbox: the user's address, no shared marker", async () => {
    const env = setup({ hostName: "OutlookWebApp", config: { graph: true } });
    const r = await env.send();
    expectOnce(r);
    const body = env.requests("/api/v1/onsend")[0].body;
    assert.equal(body.mailbox, "sagsbehandler@kommune.dk");
    assert.equal(body.shared, undefined);
    assert.equal(env.called("getSharedPropertiesAsync").length, 1);
  });

  test("shared mailbox on the web: Graph by item id in the shared mailbox", async () => {
    const env = setup({ hostName: "OutlookWebApp", config: { graph: true }, shared: { owner: shared, delegatePermissions: 3 } });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    const [req] = env.requests("/api/v1/onsend");
    assert.equal(req.body.mailbox, shared);
    assert.ok(req.body.itemId);
    assert.equal(req.body.inline, undefined);
  });

  test("shared mailbox the service cannot read: resendInline, then inline with the same mailbox", async () => {
    const env = setup({
      hostName: "newOutlookWindows",
      config: { graph: true },
      shared: { owner: shared, delegatePermissions: 3 },
      responder: (req, i) => {
        if (i === 0) {
          return { status: 200, json: { scanId: "f", action: "warn", resendInline: true, reasons: [{ code: "fetch_failed" }], message: "x" } };
        }
        return { status: 200, json: { scanId: "a", action: "allow", reasons: [] } };
      },
    });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    const reqs = env.requests("/api/v1/onsend");
    assert.equal(reqs.length, 2);
    assert.equal(reqs[1].body.mailbox, shared);
    assert.ok(reqs[1].body.inline);
  });

  test("without Read among the permissions the draft goes inline at once", async () => {
    const env = setup({ hostName: "OutlookWebApp", config: { graph: true }, shared: { owner: shared, delegatePermissions: 2 } });
    const r = await env.send();
    expectOnce(r);
    const reqs = env.requests("/api/v1/onsend");
    assert.equal(reqs.length, 1);
    assert.ok(reqs[0].body.inline);
    assert.equal(reqs[0].body.mailbox, shared);
    assert.equal(env.called("saveAsync").length, 0);
  });

  test("classic and Mac: inline, naming the shared mailbox", async () => {
    const env = setup({ hostName: "Outlook", shared: { owner: shared, delegatePermissions: 1 } });
    const r = await env.send();
    expectOnce(r);
    const [req] = env.requests("/api/v1/onsend");
    assert.equal(req.body.mailbox, shared);
    assert.ok(req.body.inline);
  });

  test("before Mailbox 1.8 there is no shared lookup", async () => {
    const env = setup({ sets: { Mailbox: "1.7" }, shared: { owner: shared, delegatePermissions: 3 } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(env.called("getSharedPropertiesAsync").length, 0);
    assert.equal(env.requests("/api/v1/onsend")[0].body.mailbox, "sagsbehandler@kommune.dk");
  });
});
