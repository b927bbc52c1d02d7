// Timeout fallback: when no verdict can be had in time and the policy lets the mail go (fail mode
// warn), the add-in stamps it X-Sendevagt-Route: unchecked for an Exchange transport rule; a later
// verdict removes the stamp; the block fail mode and appointments are never stamped.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setup, expectOnce } from "./helpers.mjs";

describe("unchecked stamp", { concurrency: true }, () => {
  test("service down, fail mode warn: stamped, then Send anyway offered", async () => {
    const env = setup({ responder: () => new Error("down") });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(r.options.sendModeOverride, "promptUser");
    assert.equal(env.state.headers["X-Sendevagt-Route"], "unchecked");
  });

  test("timeout, fail mode warn: stamped before completing", async () => {
    const env = setup({ responder: () => "never", config: { budgetMs: 300 } });
    const r = await env.send();
    expectOnce(r);
    assert.match(r.options.errorMessage, /tog for lang tid/);
    assert.equal(env.state.headers["X-Sendevagt-Route"], "unchecked");
  });

  test("fail mode warn before 1.14: the second Send goes, stamped", async () => {
    const env = setup({ sets: { Mailbox: "1.12" }, responder: () => new Error("down") });
    const first = await env.send();
    expectOnce(first);
    assert.equal(first.options.allowEvent, false);
    const second = await env.send();
    expectOnce(second);
    assert.deepEqual(second.options, { allowEvent: true });
    assert.equal(env.state.headers["X-Sendevagt-Route"], "unchecked");
  });

  test("fail mode block: no stamp", async () => {
    const env = setup({ responder: () => new Error("down"), config: { failMode: "block" } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(env.state.headers["X-Sendevagt-Route"], undefined);
  });

  test("a later verdict removes the stamp", async () => {
    const env = setup({ item: { headers: { "X-Sendevagt-Route": "unchecked" } } });
    const r = await env.send();
    expectOnce(r);
    assert.deepEqual(r.options, { allowEvent: true });
    assert.equal(env.state.headers["X-Sendevagt-Route"], undefined);
    assert.equal(env.requests("/api/v1/onsend")[0].body.headers["X-Sendevagt-Route"], "unchecked");
  });

  test("a failing header call still completes once with the fail mode", async () => {
    const env = setup({ responder: () => new Error("down"), failures: { "internetHeaders.setAsync": { code: 9000, name: "GenericResponseError" } } });
    const r = await env.send();
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
    assert.equal(env.state.headers["X-Sendevagt-Route"], undefined);
  });

  test("appointments have no internet headers: not stamped, fail mode as usual", async () => {
    const env = setup({ itemType: "appointment", responder: () => new Error("down") });
    const r = await env.run("onAppointmentSendHandler");
    expectOnce(r);
    assert.equal(r.options.allowEvent, false);
  });
});
