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

// The outage per client, as far as the fake models it (the add-in loaded, the API down): every
// client gets the Danish fail-mode message within the budget, completed once; warn stamps the
// mail unchecked, block does not. (When the add-in's own files cannot load, Outlook applies the
// manifest's SendMode without running any of this: see the README's table.)
describe("outage per client", { concurrency: true }, () => {
  for (const hostName of ["Outlook", "OutlookWebApp", "newOutlookWindows", "OutlookMac"]) {
    for (const failMode of ["warn", "block"]) {
      test(`${hostName}, fail mode ${failMode}: the Danish message, once, within the budget`, async () => {
        const env = setup({ hostName, responder: () => new Error("down"), config: { failMode, graph: true } });
        const r = await env.send();
        expectOnce(r);
        assert.equal(r.options.allowEvent, false);
        assert.match(r.options.errorMessage, /^Sendevagt kunne ikke kontrollere mailen, fordi tjenesten kunne ikke nås\./);
        assert.ok(r.elapsed < 1500 + 1000, `completed after ${r.elapsed} ms`);
        if (failMode === "warn") {
          assert.equal(r.options.sendModeOverride, "promptUser");
          assert.equal(env.state.headers["X-Sendevagt-Route"], "unchecked");
        } else {
          assert.equal(r.options.sendModeOverride, undefined);
          assert.equal(env.state.headers["X-Sendevagt-Route"], undefined);
        }
      });
    }
  }
});
