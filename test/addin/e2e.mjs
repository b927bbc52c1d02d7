// End-to-end driver for TestAddinEndToEnd (test/addin_test.go): fetches launchevent.js from the
// running service exactly as Outlook would, runs it in a fresh JavaScript-only context per case
// with the add-in's fake Office API (addin/test/fakeoffice.mjs), lets it call the real service
// with Node's fetch, and prints one JSON line per case with what the handler passed to
// event.completed. Usage: node e2e.mjs cases.json
import { readFileSync } from "node:fs";
import { createOutlook, loadLaunchEvent, runEvent } from "../../addin/test/fakeoffice.mjs";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const res = await fetch(input.jsUrl);
if (!res.ok) {
  console.error(`GET ${input.jsUrl}: ${res.status}`);
  process.exit(1);
}
const source = await res.text();

for (const c of input.cases) {
  const out = { name: c.name, options: null, count: 0, headers: {}, subject: "", calls: [] };
  const started = performance.now();
  try {
    const outlook = createOutlook({
      hostName: c.hostName,
      sets: { Mailbox: "1.15" },
      userEmail: input.userEmail,
      token: input.token,
      item: c.item,
    });
    const { handlers } = loadLaunchEvent({
      Office: outlook.Office,
      OfficeRuntime: outlook.OfficeRuntime,
      fetch: globalThis.fetch,
      source,
    });
    if (c.prescan && c.item.attachments.length > 0) {
      for (const a of c.item.attachments) {
        await runEvent(handlers.onAttachmentsChangedHandler, {
          type: "olkMessageAttachmentsChanged",
          attachmentStatus: "added",
          attachmentDetails: { id: a.id, name: a.name, size: a.size, contentType: a.contentType, attachmentType: a.attachmentType, isInline: false },
        });
      }
    }
    const r = await runEvent(handlers.onMessageSendHandler, { type: "olkMessageSend" });
    out.options = r.options;
    out.count = r.count;
    out.headers = outlook.state.headers || (outlook.state.item && outlook.state.item.headers) || {};
    out.subject = outlook.state.subject || "";
    out.calls = (outlook.calls || []).map((x) => (typeof x === "string" ? x : x.method || x.name || JSON.stringify(x)));
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  out.ms = performance.now() - started;
  process.stdout.write(JSON.stringify(out) + "\n");
}
