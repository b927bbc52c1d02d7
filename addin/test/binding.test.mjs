// Pre-scan binding: an entry is saved against the attachment list as it is when the pre-scan
// answers (not as it was when it started), and on Send it stands for an attachment only when the
// content's fingerprint is the one the pre-scan saved.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setup, expectOnce, sleep } from "./helpers.mjs";

const sha = (c) => c.repeat(64);
const prescanRoute = (delayMs = 0) => async (req) => {
  if (delayMs) {
    await sleep(delayMs);
  }
  return { status: 200, json: { attachments: req.body.attachments.map((a, i) => ({ name: a.name, sha256: sha(String(i + 1)), status: "scanned" })) } };
};
const b64 = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255)).toString("base64");

describe("pre-scan binding", { concurrency: true }, () => {
  test("an attachment removed while the pre-scan ran leaves no entry", async () => {
    const env = setup({
      item: { attachments: [{ id: "0", name: "A.pdf", size: 4, base64: "QUFB" }, { id: "1", name: "B.pdf", size: 4, base64: "QkJC" }] },
      routes: { "/api/v1/prescan": prescanRoute(60) },
    });
    const pending = env.run("onAttachmentsChangedHandler");
    await sleep(20);
    env.state.attachments.splice(1, 1);
    const r = await pending;
    expectOnce(r);
    assert.deepEqual(Object.keys(JSON.parse(env.state.sessionData["sendevagt:prescan"])), ["0"]);
  });

  test("classic index ids: another file of the same name and size under the old id sends its content", async () => {
    // Two files with the same name and size; the first is removed and the second takes index 0.
    const first = b64(3000, 1);
    const second = b64(3000, 2);
    const env = setup({
      item: { attachments: [{ id: "0", name: "Brev.pdf", size: 3000, base64: first }] },
      routes: { "/api/v1/prescan": prescanRoute() },
    });
    await env.run("onAttachmentsChangedHandler");
    env.state.attachments = [{ id: "0", name: "Brev.pdf", size: 3000, base64: second }];
    const r = await env.send();
    expectOnce(r);
    const [att] = env.requests("/api/v1/onsend")[0].body.inline.attachments;
    assert.equal(att.sha256, undefined, "the old entry must not stand for the new file");
    assert.equal(att.contentBase64, second);
  });

  test("the same file: its sha256 without content", async () => {
    const content = b64(5000, 3);
    const env = setup({ item: { attachments: [{ id: "0", name: "Brev.pdf", size: 5000, base64: content }] }, routes: { "/api/v1/prescan": prescanRoute() } });
    await env.run("onAttachmentsChangedHandler");
    const r = await env.send();
    expectOnce(r);
    const [att] = env.requests("/api/v1/onsend")[0].body.inline.attachments;
    assert.equal(att.sha256, sha("1"));
    assert.equal(att.contentBase64, undefined);
  });

  test("an entry without a fingerprint (an older add-in) is not trusted", async () => {
    const env = setup({
      item: {
        attachments: [{ id: "0", name: "Brev.pdf", size: 4, base64: "QUFB" }],
        sessionData: { "sendevagt:prescan": JSON.stringify({ 0: { name: "Brev.pdf", size: 4, sha256: sha("9"), status: "scanned" } }) },
      },
    });
    const r = await env.send();
    expectOnce(r);
    const [att] = env.requests("/api/v1/onsend")[0].body.inline.attachments;
    assert.equal(att.contentBase64, "QUFB");
    assert.equal(att.sha256, undefined);
  });

  test("fingerprints differ for a change in the middle of a large file", () => {
    const env = setup();
    const fp = env.context.Sendevagt.contentFingerprint;
    const a = b64(200000, 5);
    const mid = Math.floor(a.length / 65) * 20 + 10;
    const b = a.substring(0, mid) + (a[mid] === "A" ? "B" : "A") + a.substring(mid + 1);
    assert.notEqual(fp(a), fp(b));
    assert.equal(fp(a), fp(String(a)));
  });
});
