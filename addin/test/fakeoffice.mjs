// fakeoffice: a hand-written fake of the parts of the Office JavaScript API that the Sendevagt
// add-in uses, following the real shapes (AsyncResult, optional options arguments, enums), and a
// loader that runs launchevent.js the way classic Outlook's JavaScript-only runtime does: a bare
// global scope without window, document or btoa.
//
// Exports (the end-to-end test of the service reuses these):
//   createOutlook(opts)  → {Office, OfficeRuntime, msal, state, calls}
//   loadLaunchEvent({Office, OfficeRuntime, fetch, config, source, msal, abortController, console})
//                        → {context, handlers, logs}
//   runEvent(handler, eventExtras, {graceMs, timeoutMs}) → Promise<{options, count, elapsed}>
//   createFetch(responder) → a fake fetch recording its requests (fetch.requests)
//   versionAtLeast(have, want)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import vm from "node:vm";

const here = path.dirname(fileURLToPath(import.meta.url));
export const launchEventPath = path.join(here, "..", "launchevent.js");

// versionAtLeast compares dotted requirement-set versions ("1.8" < "1.14").
export function versionAtLeast(have, want) {
  if (have === null || have === undefined || have === false) {
    return false;
  }
  if (want === undefined || want === null || want === "") {
    return true;
  }
  const a = String(have).split(".").map(Number);
  const b = String(want).split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] || 0;
    const y = b[i] || 0;
    if (x !== y) {
      return x > y;
    }
  }
  return true;
}

function recipient(r) {
  if (typeof r === "string") {
    return { displayName: "", emailAddress: r, recipientType: "externalUser" };
  }
  return {
    displayName: r.displayName ?? r.name ?? "",
    emailAddress: r.emailAddress ?? r.address ?? "",
    recipientType: r.recipientType ?? "externalUser",
  };
}

function htmlEscape(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function stripHtml(s) {
  return String(s).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
}

// officeError is thrown inside a fake method to report an AsyncResult failure.
class OfficeError extends Error {
  constructor(code, name, message) {
    super(message);
    this.office = { code, name, message };
  }
}

/**
 * createOutlook builds a fake Office for one compose item.
 *
 * opts: {
 *   hostName: "Outlook" | "OutlookWebApp" | "newOutlookWindows" | "OutlookMac" (default "Outlook"),
 *   sets: {Mailbox: "1.15", NestedAppAuth: null}  (a set absent or null is not supported),
 *   userEmail, token: string | Error | (options) => Promise<string>,
 *   naa: {token: string | Error} (a fake msal global for nested app authentication),
 *   item: {subject, from: {displayName, emailAddress}, to, cc, bcc, bodyText, bodyHtml, headers,
 *          attachments: [{id, name, size, contentType, attachmentType, isInline, base64|eml|ical|url}],
 *          ewsId, restId, sessionData: {key: string}, initializationContext},
 *   failures: {method: {code, name, message} | (args) => error|null},  e.g. "saveAsync",
 *             "subject.getAsync", "internetHeaders.setAsync", "getAttachmentContentAsync:<id>",
 *             "getAccessToken", "acquireTokenSilent"
 *   delays: {method: ms | Infinity}  (Infinity: the callback never comes)
 *   sessionDataMissing: "fail" | "empty"  (sessionData.getAsync of an unknown key; default "fail")
 *   itemType: "message" | "appointment"  (an appointment being organised: requiredAttendees,
 *             optionalAttendees and organizer (1.7) instead of to/cc/bcc/from, and no
 *             internetHeaders, as in Outlook's AppointmentCompose; item.to/cc feed the attendees)
 *   labels: {enabled, list}  (Office.context.sensitivityLabelsCatalog, 1.13; default enabled, empty)
 *   shared: {owner, delegatePermissions, targetMailbox, targetRestUrl}  (the draft is in a shared or
 *             delegated mailbox: item.getSharedPropertiesAsync answers this; without it the call
 *             fails, as for a draft in the user's own mailbox)
 *   maxConcurrent: 3  (Outlook's limit of simultaneous asynchronous calls; a call started while
 *             that many are pending fails at once with 5100 "API Call Failed" "Wait until the
 *             previous call completes.", as classic Outlook answers (office-js #3274); null: no limit)
 * }
 * A failure may carry times: n (it fails the first n calls, then the call succeeds), to model
 * Outlook's transient errors 5001 "Internal Error" and 5100 "API Call Failed".
 * The result's stats hold {active, maxActive, rejected}: the calls in flight, the most at once,
 * and the calls refused for the limit.
 *
 * APIs above the configured Mailbox version are absent (undefined), as on old clients.
 */
export function createOutlook(opts = {}) {
  const sets = { Mailbox: "1.15", NestedAppAuth: null, ...(opts.sets || {}) };
  const has = (v) => versionAtLeast(sets.Mailbox, v);
  const failures = { ...(opts.failures || {}) };
  const failedTimes = {};
  const maxConcurrent = opts.maxConcurrent === undefined ? 3 : opts.maxConcurrent;
  const stats = { active: 0, maxActive: 0, rejected: 0 };
  const delays = { ...(opts.delays || {}) };
  const calls = [];
  // record logs a call with plain copies of its arguments (the handler runs in another realm).
  const record = (method, args) => {
    let copy = args;
    try {
      copy = JSON.parse(JSON.stringify(args ?? []));
    } catch {
      copy = args;
    }
    calls.push({ method, args: copy });
  };
  const it = opts.item || {};

  const state = {
    subject: it.subject ?? "",
    from: it.from ? recipient(it.from) : { displayName: "Sagsbehandler", emailAddress: opts.userEmail || "sagsbehandler@kommune.dk" },
    to: (it.to || []).map(recipient),
    cc: (it.cc || []).map(recipient),
    bcc: (it.bcc || []).map(recipient),
    bodyText: it.bodyText,
    bodyHtml: it.bodyHtml,
    headers: { ...(it.headers || {}) },
    attachments: (it.attachments || []).map((a, i) => ({ id: String(a.id ?? i), ...a })),
    sessionData: { ...(it.sessionData || {}) },
    ewsId: it.ewsId ?? "AAMkADEWSID/draft+1=",
    restId: it.restId,
    initializationContext: it.initializationContext,
    sensitivityLabel: it.sensitivityLabel ?? "",
    notifications: {},
    saved: 0,
  };

  const AsyncResultStatus = { Succeeded: "succeeded", Failed: "failed" };

  function failureFor(name, args) {
    let key = name;
    let f = failures[name];
    if (f === undefined && args.length > 0 && (typeof args[0] === "string" || typeof args[0] === "number")) {
      key = `${name}:${args[0]}`;
      f = failures[key];
    }
    if (typeof f === "function") {
      f = f(args);
    }
    if (f && typeof f.times === "number") {
      failedTimes[key] = (failedTimes[key] || 0) + 1;
      if (failedTimes[key] > f.times) {
        return null;
      }
    }
    return f || null;
  }

  function delayFor(name) {
    const d = delays[name];
    if (d === undefined) {
      return 0;
    }
    return d;
  }

  // asyncMethod builds an Office-style method: fixed arguments, then an optional options
  // object and an optional callback, which gets an AsyncResult.
  function asyncMethod(name, fixed, produce) {
    return function (...all) {
      const args = all.slice(0, fixed);
      let rest = all.slice(fixed);
      let callback;
      if (rest.length > 0 && typeof rest[rest.length - 1] === "function") {
        callback = rest[rest.length - 1];
        rest = rest.slice(0, -1);
      }
      const options = rest[0];
      record(name, args);
      if (maxConcurrent !== null && stats.active >= maxConcurrent) {
        // Outlook refuses a call beyond its limit of simultaneous calls at once.
        stats.rejected++;
        const asyncContext = options && options.asyncContext;
        const refused = { status: AsyncResultStatus.Failed, value: undefined, asyncContext,
          error: { code: 5100, name: "API Call Failed", message: "Wait until the previous call completes." } };
        if (callback) {
          setTimeout(() => callback(refused), 0);
        }
        return;
      }
      stats.active++;
      stats.maxActive = Math.max(stats.maxActive, stats.active);
      let settled = false;
      const finish = () => {
        if (!settled) {
          settled = true;
          stats.active--;
        }
        const asyncContext = options && options.asyncContext;
        const failure = failureFor(name, args);
        let result;
        if (failure) {
          result = { status: AsyncResultStatus.Failed, value: undefined, error: { code: failure.code ?? 9999, name: failure.name ?? "GenericError", message: failure.message ?? "fake failure" }, asyncContext };
        } else {
          try {
            result = { status: AsyncResultStatus.Succeeded, value: produce(...args), error: undefined, asyncContext };
          } catch (err) {
            if (!(err instanceof OfficeError)) {
              throw err;
            }
            result = { status: AsyncResultStatus.Failed, value: undefined, error: err.office, asyncContext };
          }
        }
        if (callback) {
          callback(result);
        }
      };
      const d = delayFor(name);
      if (d === Infinity) {
        return;
      }
      setTimeout(finish, d);
    };
  }

  function recipientsField(key, label = key) {
    return {
      getAsync: asyncMethod(`${label}.getAsync`, 0, () => state[key].map((r) => ({ ...r }))),
      setAsync: asyncMethod(`${label}.setAsync`, 1, (list) => {
        state[key] = list.map(recipient);
      }),
      addAsync: asyncMethod(`${label}.addAsync`, 1, (list) => {
        state[key] = state[key].concat(list.map(recipient));
      }),
    };
  }

  const item = {
    itemType: "message",
    subject: {
      getAsync: asyncMethod("subject.getAsync", 0, () => state.subject),
      setAsync: asyncMethod("subject.setAsync", 1, (s) => {
        if (typeof s !== "string" || s.length > 255) {
          throw new OfficeError(1000, "InvalidParameter", "subject must be a string of at most 255 characters");
        }
        state.subject = s;
      }),
    },
    to: recipientsField("to"),
    cc: recipientsField("cc"),
    bcc: recipientsField("bcc"),
    body: {
      getAsync: asyncMethod("body.getAsync", 1, (coercion) => {
        if (coercion === "text") {
          return state.bodyText ?? stripHtml(state.bodyHtml ?? "");
        }
        if (coercion === "html") {
          return state.bodyHtml ?? `<html><body><p>${htmlEscape(state.bodyText ?? "")}</p></body></html>`;
        }
        throw new OfficeError(1000, "InvalidParameter", "unknown coercion type");
      }),
      setAsync: asyncMethod("body.setAsync", 1, (s) => {
        state.bodyText = stripHtml(s);
        state.bodyHtml = s;
      }),
    },
  };

  const appointment = opts.itemType === "appointment";
  if (appointment) {
    item.itemType = "appointment";
    item.requiredAttendees = recipientsField("to", "requiredAttendees");
    item.optionalAttendees = recipientsField("cc", "optionalAttendees");
    delete item.to;
    delete item.cc;
    delete item.bcc;
  }
  if (has("1.3")) {
    // notificationMessages: the info bar. Messages are at most 150 characters; insight messages
    // (1.10) may carry one showTaskPane action, the others none; informational and insight
    // messages need an icon.
    const checkDetails = (d) => {
      const types = ["progressIndicator", "informationalMessage", "errorMessage"].concat(has("1.10") ? ["insightMessage"] : []);
      if (!d || !types.includes(d.type)) {
        throw new OfficeError(9000, "InvalidParameter", "unknown notification type");
      }
      if (typeof d.message !== "string" || d.message.length === 0 || d.message.length > 150) {
        throw new OfficeError(9000, "InvalidParameter", "the message must have 1 to 150 characters");
      }
      if ((d.type === "informationalMessage" || d.type === "insightMessage") && !d.icon) {
        throw new OfficeError(9000, "InvalidParameter", "an icon is required");
      }
      if (d.actions !== undefined) {
        if (d.type !== "insightMessage" || !Array.isArray(d.actions) || d.actions.length !== 1 || d.actions[0].actionType !== "showTaskPane" || !d.actions[0].commandId) {
          throw new OfficeError(9000, "InvalidParameter", "actions are only allowed on insight messages, one showTaskPane action");
        }
      }
    };
    item.notificationMessages = {
      addAsync: asyncMethod("notificationMessages.addAsync", 2, (key, d) => {
        checkDetails(d);
        if (state.notifications[key]) {
          throw new OfficeError(9000, "DuplicateKey", "a message with this key exists");
        }
        state.notifications[key] = JSON.parse(JSON.stringify(d));
      }),
      replaceAsync: asyncMethod("notificationMessages.replaceAsync", 2, (key, d) => {
        checkDetails(d);
        state.notifications[key] = JSON.parse(JSON.stringify(d));
      }),
      removeAsync: asyncMethod("notificationMessages.removeAsync", 1, (key) => {
        if (!state.notifications[key]) {
          throw new OfficeError(9000, "KeyNotFound", "no message with this key");
        }
        delete state.notifications[key];
      }),
      getAllAsync: asyncMethod("notificationMessages.getAllAsync", 0, () => Object.entries(state.notifications).map(([key, d]) => ({ key, ...d }))),
    };
    item.saveAsync = asyncMethod("saveAsync", 0, () => {
      state.saved++;
      return state.ewsId;
    });
  }
  if (has("1.7")) {
    if (appointment) {
      item.organizer = { getAsync: asyncMethod("organizer.getAsync", 0, () => ({ ...state.from })) };
    } else {
      item.from = { getAsync: asyncMethod("from.getAsync", 0, () => ({ ...state.from })) };
    }
  }
  if (has("1.13")) {
    item.sensitivityLabel = {
      getAsync: asyncMethod("sensitivityLabel.getAsync", 0, () => state.sensitivityLabel),
      setAsync: asyncMethod("sensitivityLabel.setAsync", 1, (label) => {
        state.sensitivityLabel = String(label);
      }),
    };
  }
  if (has("1.8")) {
    item.internetHeaders = appointment ? undefined : {
      getAsync: asyncMethod("internetHeaders.getAsync", 1, (names) => {
        const out = {};
        for (const n of names) {
          const key = Object.keys(state.headers).find((k) => k.toLowerCase() === String(n).toLowerCase());
          if (key !== undefined) {
            out[n] = state.headers[key];
          }
        }
        return out;
      }),
      setAsync: asyncMethod("internetHeaders.setAsync", 1, (headers) => {
        if (!headers || typeof headers !== "object") {
          throw new OfficeError(1000, "InvalidParameter", "headers must be an object");
        }
        for (const [k, v] of Object.entries(headers)) {
          state.headers[k] = String(v);
        }
      }),
      removeAsync: asyncMethod("internetHeaders.removeAsync", 1, (names) => {
        for (const n of names) {
          delete state.headers[n];
        }
      }),
    };
    item.getSharedPropertiesAsync = asyncMethod("getSharedPropertiesAsync", 0, () => {
      if (!opts.shared) {
        throw new OfficeError(9000, "GenericResponseError", "the item is not in a shared folder or mailbox");
      }
      return { targetRestUrl: "https://outlook.office.com/api", targetMailbox: opts.shared.owner, ...opts.shared };
    });
    item.getAttachmentsAsync = asyncMethod("getAttachmentsAsync", 0, () =>
      state.attachments.map((a) => ({
        id: a.id,
        name: a.name,
        size: a.size ?? 0,
        contentType: a.contentType ?? "application/octet-stream",
        attachmentType: a.attachmentType ?? (a.url ? "cloud" : a.eml !== undefined || a.ical !== undefined ? "item" : "file"),
        isInline: Boolean(a.isInline),
      })),
    );
    item.getAttachmentContentAsync = asyncMethod("getAttachmentContentAsync", 1, (id) => {
      const a = state.attachments.find((x) => x.id === id);
      if (!a) {
        throw new OfficeError(9002, "InvalidAttachmentId", "the attachment id is not valid");
      }
      if (a.url !== undefined) {
        return { format: "url", content: a.url };
      }
      if (a.eml !== undefined) {
        return { format: "eml", content: a.eml };
      }
      if (a.ical !== undefined) {
        return { format: "iCalendar", content: a.ical };
      }
      return { format: "base64", content: a.base64 ?? "" };
    });
  }
  if (has("1.11")) {
    const limit = has("1.16") ? 2621440 : 50000;
    const used = () => Object.entries(state.sessionData).reduce((n, [k, v]) => n + k.length + v.length, 0);
    item.sessionData = {
      getAsync: asyncMethod("sessionData.getAsync", 1, (key) => {
        if (!Object.prototype.hasOwnProperty.call(state.sessionData, key)) {
          if (opts.sessionDataMissing === "empty") {
            return "";
          }
          throw new OfficeError(9057, "KeyNotFound", "no session data under that key");
        }
        return state.sessionData[key];
      }),
      setAsync: asyncMethod("sessionData.setAsync", 2, (key, value) => {
        if (typeof key !== "string" || typeof value !== "string") {
          throw new OfficeError(1000, "InvalidParameter", "session data keys and values are strings");
        }
        const before = state.sessionData[key];
        state.sessionData[key] = value;
        if (used() > limit) {
          if (before === undefined) {
            delete state.sessionData[key];
          } else {
            state.sessionData[key] = before;
          }
          throw new OfficeError(9058, "ExceededMaxLength", "session data is over its limit");
        }
      }),
      removeAsync: asyncMethod("sessionData.removeAsync", 1, (key) => {
        delete state.sessionData[key];
      }),
      getAllAsync: asyncMethod("sessionData.getAllAsync", 0, () => ({ ...state.sessionData })),
      clearAsync: asyncMethod("sessionData.clearAsync", 0, () => {
        state.sessionData = {};
      }),
    };
  }
  if (has("1.14")) {
    item.getInitializationContextAsync = asyncMethod("getInitializationContextAsync", 0, () => {
      if (state.initializationContext === undefined) {
        throw new OfficeError(9000, "GenericResponseError", "no initialization context");
      }
      return state.initializationContext;
    });
  }

  const mailbox = {
    item,
    userProfile: { emailAddress: opts.userEmail || "sagsbehandler@kommune.dk", displayName: "Sagsbehandler" },
    diagnostics: { hostName: opts.hostName || "Outlook", hostVersion: "16.0.17928.20000" },
  };
  if (has("1.3")) {
    mailbox.convertToRestId = (id, version) => {
      record("convertToRestId", [id, version]);
      const f = failureFor("convertToRestId", [id]);
      if (f) {
        throw new Error(f.message || "convertToRestId failed");
      }
      if (state.restId !== undefined) {
        return state.restId;
      }
      return String(id).replace(/\//g, "-").replace(/\+/g, "_");
    };
  }

  const handlers = {};
  // The sensitivity label catalog (1.13): labels: {enabled, list: [{id, name, children}]}.
  const labels = { enabled: true, list: [], ...(opts.labels || {}) };
  const sensitivityLabelsCatalog = has("1.13")
    ? {
        getIsEnabledAsync: asyncMethod("sensitivityLabelsCatalog.getIsEnabledAsync", 0, () => Boolean(labels.enabled)),
        getAsync: asyncMethod("sensitivityLabelsCatalog.getAsync", 0, () => {
          if (!labels.enabled) {
            throw new OfficeError(9000, "GenericResponseError", "sensitivity labels are not enabled");
          }
          return JSON.parse(JSON.stringify(labels.list));
        }),
      }
    : undefined;
  const Office = {
    AsyncResultStatus,
    CoercionType: { Text: "text", Html: "html" },
    MailboxEnums: {
      RestVersion: { v1_0: "v1.0", v2_0: "v2.0", Beta: "beta" },
      SendModeOverride: { PromptUser: "promptUser" },
      ItemNotificationMessageType: { ProgressIndicator: "progressIndicator", InformationalMessage: "informationalMessage", ErrorMessage: "errorMessage", InsightMessage: "insightMessage" },
      ActionType: { ShowTaskPane: "showTaskPane" },
      DelegatePermissions: { Read: 1, Write: 2, DeleteOwn: 4, DeleteAll: 8, EditOwn: 16, EditAll: 32 },
      AttachmentContentFormat: { Base64: "base64", Url: "url", Eml: "eml", ICalendar: "iCalendar" },
      AttachmentType: { File: "file", Item: "item", Cloud: "cloud" },
      ItemType: { Message: "message", Appointment: "appointment" },
    },
    context: {
      mailbox,
      sensitivityLabelsCatalog,
      requirements: {
        isSetSupported(name, version) {
          return versionAtLeast(sets[name], version);
        },
      },
      diagnostics: { host: "Outlook", platform: "PC", version: "16.0" },
    },
    actions: {
      associate(name, fn) {
        record("actions.associate", [name]);
        handlers[name] = fn;
      },
    },
    onReady(cb) {
      const info = { host: "Outlook", platform: "PC" };
      return new Promise((resolve) => {
        setTimeout(() => {
          if (cb) {
            cb(info);
          }
          resolve(info);
        }, 0);
      });
    },
  };

  const tokenOf = (source, options) => {
    if (typeof source === "function") {
      return source(options);
    }
    if (source instanceof Error) {
      return Promise.reject(source);
    }
    return Promise.resolve(source ?? "fake-token");
  };
  const later = (name, fn) =>
    new Promise((resolve, reject) => {
      const d = delayFor(name);
      if (d === Infinity) {
        return;
      }
      setTimeout(() => {
        const f = failureFor(name, []);
        if (f) {
          const err = new Error(f.message || "fake failure");
          err.code = f.code;
          err.name = f.name || "Error";
          reject(err);
          return;
        }
        Promise.resolve().then(fn).then(resolve, reject);
      }, d);
    });

  const OfficeRuntime = {
    auth: {
      getAccessToken(options) {
        record("getAccessToken", [options]);
        return later("getAccessToken", () => tokenOf(opts.token, options));
      },
    },
  };

  let msal;
  if (opts.naa) {
    msal = {
      createNestablePublicClientApplication(config) {
        record("createNestablePublicClientApplication", [config]);
        return later("createNestablePublicClientApplication", () => ({
          acquireTokenSilent(request) {
            record("acquireTokenSilent", [request]);
            return later("acquireTokenSilent", () =>
              tokenOf(opts.naa.token, request).then((accessToken) => ({ accessToken, scopes: request.scopes })),
            );
          },
          acquireTokenPopup() {
            record("acquireTokenPopup", []);
            return Promise.reject(new Error("popups are not allowed in event handlers"));
          },
        }));
      },
    };
  }

  return { Office, OfficeRuntime, msal, state, calls, handlers, stats };
}

/**
 * loadLaunchEvent runs launchevent.js in a node:vm context that holds only what classic
 * Outlook's JavaScript-only runtime offers: Office, OfficeRuntime, fetch (if given), console,
 * setTimeout/clearTimeout and (unless abortController is false) AbortController. No window,
 * document, localStorage, btoa or atob. config is applied onto SENDEVAGT_CONFIG.
 * Returns {context, handlers, logs}: handlers are the functions given to Office.actions.associate;
 * logs are the console lines (not printed unless console is given).
 * clock, when given, is {offset: ms} read on every new Date() in the handler's realm: a test moves
 * the handler's sense of time forward without waiting (timers stay real).
 */
export function loadLaunchEvent({ Office, OfficeRuntime, fetch, config, source, msal, abortController = true, console: out, clock } = {}) {
  const code = source ?? readFileSync(launchEventPath, "utf8");
  const logs = [];
  const fakeConsole = out ?? {
    log: (...args) => logs.push(args.map(String).join(" ")),
    warn: (...args) => logs.push(args.map(String).join(" ")),
    error: (...args) => logs.push(args.map(String).join(" ")),
  };
  const sandbox = { console: fakeConsole, setTimeout, clearTimeout };
  if (clock) {
    sandbox.Date = class extends Date {
      constructor(...args) {
        if (args.length === 0) {
          super(Date.now() + clock.offset);
        } else {
          super(...args);
        }
      }
      static now() {
        return Date.now() + clock.offset;
      }
    };
  }
  if (Office !== undefined) {
    sandbox.Office = Office;
  }
  if (OfficeRuntime !== undefined) {
    sandbox.OfficeRuntime = OfficeRuntime;
  }
  if (fetch) {
    sandbox.fetch = fetch;
  }
  if (abortController) {
    sandbox.AbortController = AbortController;
  }
  if (msal) {
    sandbox.msal = msal;
  }
  const handlers = {};
  let restore = null;
  if (Office && Office.actions && typeof Office.actions.associate === "function") {
    const original = Office.actions.associate;
    Office.actions.associate = function (name, fn) {
      handlers[name] = fn;
      return original.call(this, name, fn);
    };
    restore = () => {
      Office.actions.associate = original;
    };
  }
  const context = vm.createContext(sandbox);
  try {
    vm.runInContext(code, context, { filename: "launchevent.js" });
  } finally {
    if (restore) {
      restore();
    }
  }
  if (config) {
    Object.assign(context.SENDEVAGT_CONFIG, config);
  }
  return { context, handlers, logs };
}

/**
 * runEvent calls handler with an event whose completed() is counted. It resolves after the
 * first completed call plus graceMs (so a second call would be counted) with
 * {options, rawOptions, args, count, elapsed, event}: options is a plain copy of what the
 * handler passed (rawOptions the original), count stays live afterwards. It rejects when completed is
 * not called within timeoutMs.
 */
export function runEvent(handler, eventExtras = {}, { graceMs = 50, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let count = 0;
    let first;
    let elapsed;
    const watchdog = setTimeout(() => reject(new Error(`event.completed was not called within ${timeoutMs} ms`)), timeoutMs);
    const event = {
      ...eventExtras,
      completed(...args) {
        count++;
        if (count > 1) {
          return;
        }
        // The handler runs in its own realm: copy the options into this one (Outlook serialises
        // them too) so deepEqual compares plain objects. rawOptions is the original.
        first = args[0];
        elapsed = Date.now() - started;
        clearTimeout(watchdog);
        setTimeout(
          () =>
            resolve({
              options: first === undefined ? undefined : JSON.parse(JSON.stringify(first)),
              rawOptions: first,
              args,
              elapsed,
              event,
              get count() {
                return count;
              },
            }),
          graceMs,
        );
      },
    };
    try {
      handler(event);
    } catch (err) {
      clearTimeout(watchdog);
      reject(err);
    }
  });
}

/**
 * decodeFormData reads a multipart/form-data upload as the service does: the JSON of the part
 * "request", with each attachment that names a part given that part's bytes back as
 * contentBase64 (so tests look at one shape whatever the upload), and the parts by name.
 */
export function decodeFormData(bytes, contentType) {
  const m = /boundary=([^;]+)/.exec(String(contentType || ""));
  if (!m) {
    return { body: undefined, parts: undefined };
  }
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const delim = Buffer.from("\r\n--" + m[1]);
  const parts = {};
  let at = data.indexOf("--" + m[1]) + m[1].length + 2;
  while (at >= 0 && data.subarray(at, at + 2).toString() === "\r\n") {
    const headEnd = data.indexOf("\r\n\r\n", at);
    const head = data.subarray(at + 2, headEnd).toString();
    const end = data.indexOf(delim, headEnd + 4);
    const name = /name="([^"]*)"/.exec(head)[1];
    parts[name] = new Uint8Array(data.subarray(headEnd + 4, end));
    at = end + delim.length;
  }
  let body;
  try {
    body = JSON.parse(Buffer.from(parts.request).toString("utf8"));
  } catch {
    return { body: undefined, parts };
  }
  const list = body && (body.inline ? body.inline.attachments : body.attachments);
  for (const a of list || []) {
    if (a.part !== undefined && parts[a.part]) {
      a.contentBase64 = Buffer.from(parts[a.part]).toString("base64");
      delete a.part;
    }
  }
  return { body, parts };
}

/**
 * createFetch returns a fake fetch that records each request in fetch.requests as
 * {url, method, headers, body (parsed JSON or undefined), raw} and answers with
 * responder(request, index): {status, json} | {status, text} | "never" | an Error (rejects),
 * or a Promise of one of these. It honours init.signal like the real fetch (AbortError).
 */
export function createFetch(responder) {
  const requests = [];
  const fetch = (url, init = {}) => {
    const headers = {};
    for (const [k, v] of Object.entries(init.headers || {})) {
      headers[k.toLowerCase()] = v;
    }
    let body;
    let parts;
    if (typeof init.body === "string") {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = undefined;
      }
    } else if (ArrayBuffer.isView(init.body)) {
      ({ body, parts } = decodeFormData(init.body, headers["content-type"]));
    }
    const req = { url: String(url), method: init.method || "GET", headers, body, parts, raw: init.body, signal: init.signal, time: Date.now() };
    const index = requests.length;
    requests.push(req);
    return new Promise((resolve, reject) => {
      const signal = init.signal;
      const abortError = () => {
        const e = new Error("The operation was aborted.");
        e.name = "AbortError";
        return e;
      };
      if (signal && signal.aborted) {
        reject(abortError());
        return;
      }
      if (signal) {
        signal.addEventListener("abort", () => {
          req.aborted = true;
          reject(abortError());
        });
      }
      Promise.resolve()
        .then(() => responder(req, index))
        .then((answer) => {
          if (answer === "never") {
            return;
          }
          if (answer instanceof Error) {
            reject(new TypeError("fetch failed"));
            return;
          }
          const status = answer.status ?? 200;
          const text = answer.text ?? JSON.stringify(answer.json ?? {});
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: { get: () => "application/json" },
            json: () => Promise.resolve().then(() => JSON.parse(text)),
            text: () => Promise.resolve(text),
          });
        }, reject);
    });
  };
  fetch.requests = requests;
  return fetch;
}
