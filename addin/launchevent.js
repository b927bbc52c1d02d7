/*
 * Sendevagt: the Outlook on-send handler (Smart Alerts) and the attachment pre-scan.
 *
 * This one file runs unchanged in classic Outlook's JavaScript-only runtime (no DOM, no window,
 * no btoa, no modules, absolute URLs only) and, through commands.html, in the browser runtimes
 * of Outlook on the web, new Outlook and Outlook on Mac. Rules kept on purpose:
 *   - ECMAScript 2016 syntax only, and no conditional (?:) operator: classic builds before 2403
 *     time out or fail silently on anything newer (test/check-syntax.mjs enforces this).
 *   - Nothing runs at load time except the configuration line, the Sendevagt object,
 *     Office.onReady (browser runtimes only) and the Office.actions.associate calls: Office.onReady is not run in classic Outlook.
 *   - SENDEVAGT_CONFIG is read at call time, never cached.
 *   - event.completed is called exactly once on every path; a watchdog completes under the
 *     fail mode when the budget runs out.
 *   - Log lines are short and content-free: no subject, address, body, file name or token.
 */
var SENDEVAGT_CONFIG = {"apiBase":"","clientId":"","apiScope":"","failMode":"warn","budgetMs":4000,"graph":false,"maxInlineBytes":26214400,"maxAttachmentBytes":26214400,"taskpaneCommandId":"sendevagtTaskPaneButton","msal":false,"version":"dev"};

/* The reusable pieces, for the task pane (taskpane.js loads this file first). */
var Sendevagt = {
  config: svConfig,
  supported: svSupported,
  getToken: svGetToken,
  api: svApiCall,
  collectEnvelope: svCollectEnvelope,
  collectDraft: svCollectDraft,
  markSecure: svMarkSecure,
  unmarkSecure: svUnmarkSecure,
  markedSecure: svMarkedSecure,
  check: svCheckDraft,
  verdictOptions: svVerdictOptions,
  failOptions: svFailOptions,
  fingerprint: svFingerprint,
  contentFingerprint: svContentFingerprint,
  listAttachments: svListAttachments,
  sessionSet: svSessionSet,
  base64: svBase64,
  base64Decode: svBase64Decode,
  utf8: svUtf8,
  cut: svCut,
  lastKey: "sendevagt:last",
  prescanKey: "sendevagt:prescan",
  warnedKey: "sendevagt:warned",
  overrideKey: "sendevagt:override",
  call: svAsync,
  routeHeader: "X-Sendevagt-Route",
  uncheckedValue: "unchecked",
  defaultSubjectTag: "[sikker]",
  naa: { clientId: null, promise: null },
  queue: null
};

/* ---------------------------------------------------------------- configuration and host */

function svConfig() {
  if (typeof SENDEVAGT_CONFIG === "object" && SENDEVAGT_CONFIG !== null) {
    return SENDEVAGT_CONFIG;
  }
  return {};
}

function svSetting(name, fallback) {
  var v = svConfig()[name];
  if (v === undefined || v === null || v === "") {
    return fallback;
  }
  return v;
}

function svNumber(name, fallback) {
  var v = Number(svSetting(name, fallback));
  if (!isFinite(v) || v <= 0) {
    return fallback;
  }
  return v;
}

function svNow() {
  return new Date().getTime();
}

function svLog(line) {
  try {
    if (typeof console !== "undefined" && console && typeof console.log === "function") {
      console.log("Sendevagt: " + line);
    }
  } catch (e) {
    /* logging must never fail the check */
  }
}

function svSupported(name, version) {
  try {
    return Boolean(Office.context.requirements.isSetSupported(name, version));
  } catch (e) {
    return false;
  }
}

function svMailbox(version) {
  return svSupported("Mailbox", version);
}

function svItem() {
  return Office.context.mailbox.item;
}

function svHostName() {
  try {
    return String(Office.context.mailbox.diagnostics.hostName || "");
  } catch (e) {
    return "";
  }
}

function svUserAddress() {
  try {
    return String(Office.context.mailbox.userProfile.emailAddress || "");
  } catch (e) {
    return "";
  }
}

/* svEnum reads an Office enum value, with the documented string as fallback for old office.js. */
function svEnum(group, name, fallback) {
  try {
    var g = Office.MailboxEnums[group];
    if (g && g[name] !== undefined) {
      return g[name];
    }
  } catch (e) {
    /* fall through */
  }
  return fallback;
}

function svCoercion(name, fallback) {
  try {
    if (Office.CoercionType && Office.CoercionType[name] !== undefined) {
      return Office.CoercionType[name];
    }
  } catch (e) {
    /* fall through */
  }
  return fallback;
}

function svFailedStatus() {
  try {
    if (Office.AsyncResultStatus && Office.AsyncResultStatus.Failed !== undefined) {
      return Office.AsyncResultStatus.Failed;
    }
  } catch (e) {
    /* fall through */
  }
  return "failed";
}

/* ---------------------------------------------------------------- errors */

/*
 * Reasons a check can fail, and the words the employee sees after "fordi":
 *   timeout, unreachable, login, service (the four the service's fail policy names) and
 *   internal (Outlook could not give the draft, or the add-in itself failed).
 */
function svWhy(reason) {
  if (reason === "timeout") {
    return "kontrollen tog for lang tid";
  }
  if (reason === "unreachable") {
    return "tjenesten kunne ikke nås";
  }
  if (reason === "login") {
    return "du kunne ikke logges på Sendevagt";
  }
  if (reason === "service") {
    return "tjenesten svarede med en fejl";
  }
  return "der opstod en fejl i Sendevagt";
}

function svError(reason, detail) {
  var e = new Error("sendevagt " + reason + ": " + detail);
  e.sendevagtReason = reason;
  return e;
}

function svReason(err) {
  if (err && typeof err.sendevagtReason === "string") {
    return err.sendevagtReason;
  }
  return "internal";
}

/* svErrorCode is a content-free description of an Office or MSAL error, for the log. */
function svErrorCode(err) {
  if (!err) {
    return "";
  }
  var parts = [];
  if (err.code !== undefined && err.code !== null) {
    parts.push(String(err.code));
  }
  if (err.name) {
    parts.push(String(err.name));
  }
  if (err.errorCode) {
    parts.push(String(err.errorCode));
  }
  return parts.join("/").substring(0, 80);
}

/* ---------------------------------------------------------------- Office async calls */

/*
 * Every Office call goes through one queue: Outlook on the web and new Outlook allow three
 * simultaneous asynchronous calls, and classic Outlook answers a call beyond its limit with 5100
 * "Wait until the previous call completes." (parallel attachment reads have also returned empty
 * content). officeConcurrency (default 3) calls run at once; the rest wait in order. A call
 * whose callback never comes frees its slot after officeCallTimeoutMs so the queue cannot stall.
 */
function svQueue() {
  if (!Sendevagt.queue) {
    Sendevagt.queue = { active: 0, waiting: [], maxActive: 0 };
  }
  return Sendevagt.queue;
}

function svQueued(fn) {
  var q = svQueue();
  return new Promise(function (resolve, reject) {
    q.waiting.push({ fn: fn, resolve: resolve, reject: reject });
    svPump();
  });
}

function svPump() {
  var q = svQueue();
  var limit = Math.floor(svNumber("officeConcurrency", 3));
  while (q.active < limit && q.waiting.length > 0) {
    svStartJob(q, q.waiting.shift());
  }
}

function svStartJob(q, job) {
  var released = false;
  var timer = null;
  var release = function () {
    if (released) {
      return;
    }
    released = true;
    if (timer !== null) {
      clearTimeout(timer);
    }
    q.active--;
    svPump();
  };
  q.active++;
  if (q.active > q.maxActive) {
    q.maxActive = q.active;
  }
  timer = setTimeout(function () {
    svLog("office: a call did not answer, its slot is freed");
    release();
  }, svNumber("officeCallTimeoutMs", 10000));
  if (timer && typeof timer.unref === "function") {
    timer.unref();
  }
  var p;
  try {
    p = Promise.resolve(job.fn());
  } catch (e) {
    p = Promise.reject(e);
  }
  p.then(function (v) {
    release();
    job.resolve(v);
  }, function (e) {
    release();
    job.reject(e);
  });
}

/* svRetryable: Outlook's transient errors, 5001 "Internal Error" and 5100 "API Call Failed". */
function svRetryable(err) {
  return Boolean(err) && (err.officeNumber === 5001 || err.officeNumber === 5100);
}

function svDelay(ms) {
  return new Promise(function (resolve) {
    setTimeout(resolve, ms);
  });
}

/* svAsyncOnce calls target[method](...args, callback) once (see svAsync). */
function svAsyncOnce(target, method, args, label) {
  return new Promise(function (resolve, reject) {
    if (!target || typeof target[method] !== "function") {
      reject(svError("internal", label + " not available"));
      return;
    }
    var all = [];
    var i;
    for (i = 0; args && i < args.length; i++) {
      all.push(args[i]);
    }
    all.push(function (result) {
      if (!result || result.status === svFailedStatus()) {
        var err = svError("internal", label + " failed");
        if (result && result.error) {
          err.officeCode = svErrorCode(result.error);
          err.officeNumber = Number(result.error.code);
        }
        reject(err);
        return;
      }
      resolve(result.value);
    });
    try {
      target[method].apply(target, all);
    } catch (e) {
      reject(svError("internal", label + " threw"));
    }
  });
}

/*
 * svAsync calls target[method](...args, callback) through the queue and settles with
 * asyncResult.value, or rejects (reason "internal") when the method is missing, throws or
 * reports a failure. A transient failure (5001, 5100) is retried once, after officeRetryMs.
 */
function svAsync(target, method, args, label) {
  var once = function () {
    return svAsyncOnce(target, method, args, label);
  };
  return svQueued(once).then(null, function (err) {
    if (!svRetryable(err)) {
      throw err;
    }
    svLog("office: " + label + " " + err.officeCode + ", retrying once");
    return svDelay(svNumber("officeRetryMs", 100)).then(function () {
      return svQueued(once);
    });
  });
}

/* ---------------------------------------------------------------- one run of a handler */

function svNewRun(budgetMs) {
  return {
    started: svNow(),
    budget: budgetMs,
    done: false,
    expired: false,
    timer: null,
    controllers: [],
    token: "",
    envelope: null,
    attachmentList: null,
    itemId: "",
    usedSha: false
  };
}

function svRemaining(run) {
  return run.budget - (svNow() - run.started);
}

/* svReserve is the budget a second request needs: about a second, less with small budgets. */
function svReserve(run) {
  return Math.min(1000, run.budget / 4);
}

function svStopped(run) {
  return Boolean(run && (run.done || run.expired));
}

function svCheckpoint(run) {
  if (svStopped(run)) {
    throw svError("timeout", "stopped");
  }
}

function svAbortAll(run) {
  var list = run.controllers;
  var i;
  run.controllers = [];
  for (i = 0; i < list.length; i++) {
    try {
      list[i].abort();
    } catch (e) {
      /* nothing to do */
    }
  }
}

/* svCompleter wraps event.completed in a once-guard. */
function svCompleter(event, run) {
  return function (options) {
    if (run.done) {
      return false;
    }
    run.done = true;
    if (run.timer !== null) {
      clearTimeout(run.timer);
      run.timer = null;
    }
    svAbortAll(run);
    try {
      if (options === undefined) {
        event.completed();
      } else {
        event.completed(options);
      }
    } catch (e) {
      svLog("event.completed threw");
    }
    return true;
  };
}

/* ---------------------------------------------------------------- token */

function svNaaAvailable() {
  if (!svSetting("msal", false)) {
    return false;
  }
  if (typeof msal === "undefined" || !msal || typeof msal.createNestablePublicClientApplication !== "function") {
    return false;
  }
  return svSupported("NestedAppAuth", "1.1");
}

function svNaaToken() {
  var clientId = String(svSetting("clientId", ""));
  var svPca = Sendevagt.naa;
  if (svPca.promise === null || svPca.clientId !== clientId) {
    svPca.clientId = clientId;
    svPca.promise = Promise.resolve().then(function () {
      return msal.createNestablePublicClientApplication({
        auth: { clientId: clientId, authority: "https://login.microsoftonline.com/organizations" }
      });
    });
    svPca.promise.then(null, function () {
      svPca.promise = null;
    });
  }
  return svPca.promise.then(function (pca) {
    return pca.acquireTokenSilent({ scopes: [String(svSetting("apiScope", ""))] });
  }).then(function (result) {
    if (!result || typeof result.accessToken !== "string" || result.accessToken === "") {
      throw svError("login", "nested app authentication gave no token");
    }
    return result.accessToken;
  });
}

function svSsoToken() {
  if (typeof OfficeRuntime === "undefined" || !OfficeRuntime || !OfficeRuntime.auth ||
      typeof OfficeRuntime.auth.getAccessToken !== "function") {
    return Promise.reject(svError("login", "single sign-on not available"));
  }
  return Promise.resolve().then(function () {
    return OfficeRuntime.auth.getAccessToken({
      allowSignInPrompt: false,
      allowConsentPrompt: false,
      forMSGraphAccess: false
    });
  }).then(function (token) {
    if (typeof token !== "string" || token === "") {
      throw svError("login", "single sign-on gave no token");
    }
    return token;
  }, function (err) {
    svLog("token: single sign-on failed " + svErrorCode(err));
    throw svError("login", "single sign-on failed");
  });
}

/*
 * svPromptToken asks with prompts allowed: only from the task pane (handlers must never prompt),
 * so that a missing consent or sign-in can be repaired there; classic Outlook has no other way.
 */
function svPromptToken() {
  if (svNaaAvailable() && Sendevagt.naa.promise !== null) {
    return Sendevagt.naa.promise.then(function (pca) {
      return pca.acquireTokenPopup({ scopes: [String(svSetting("apiScope", ""))] });
    }).then(function (result) {
      if (!result || typeof result.accessToken !== "string" || result.accessToken === "") {
        throw svError("login", "sign-in gave no token");
      }
      return result.accessToken;
    }).then(null, function () {
      return svSsoPrompt();
    });
  }
  return svSsoPrompt();
}

function svSsoPrompt() {
  if (typeof OfficeRuntime === "undefined" || !OfficeRuntime || !OfficeRuntime.auth ||
      typeof OfficeRuntime.auth.getAccessToken !== "function") {
    return Promise.reject(svError("login", "single sign-on not available"));
  }
  return Promise.resolve().then(function () {
    return OfficeRuntime.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false });
  }).then(function (token) {
    if (typeof token !== "string" || token === "") {
      throw svError("login", "single sign-on gave no token");
    }
    return token;
  }, function (err) {
    svLog("token: sign-in with prompts failed " + svErrorCode(err));
    throw svError("login", "sign-in failed");
  });
}

/* svGetToken: nested app authentication (silent only) when available, else Office SSO; with
   interactive (the task pane only), prompts for sign-in or consent when silence fails. */
function svGetToken(interactive) {
  var silent;
  if (!svNaaAvailable()) {
    silent = svSsoToken();
  } else {
    silent = svNaaToken().then(null, function (err) {
      svLog("token: nested app authentication failed " + svErrorCode(err));
      return svSsoToken();
    });
  }
  if (interactive !== true) {
    return silent;
  }
  return silent.then(null, function () {
    return svPromptToken();
  });
}

/* ---------------------------------------------------------------- the service */

/*
 * svApi sends one request to the service and settles with the parsed JSON of a 2xx answer.
 * Rejections carry the fail reason: login (401/403), service (other status, bad JSON),
 * unreachable (fetch rejected) or timeout (the run was stopped, the fetch aborted).
 */
function svApi(method, path, body, token, run) {
  if (typeof fetch !== "function") {
    return Promise.reject(svError("unreachable", "fetch not available"));
  }
  var init = {
    method: method,
    headers: { "Authorization": "Bearer " + token, "Accept": "application/json" }
  };
  if (body !== undefined && body !== null) {
    var upload = svUpload(body);
    init.headers["Content-Type"] = upload.contentType;
    init.body = upload.body;
  }
  if (run && typeof AbortController === "function") {
    var controller = new AbortController();
    init.signal = controller.signal;
    run.controllers.push(controller);
  }
  var url = String(svSetting("apiBase", "")) + path;
  var attempt = function () {
    return Promise.resolve().then(function () {
      return fetch(url, init);
    });
  };
  return attempt().then(null, function (err) {
    /* Classic Outlook's runtime reports "Network request failed" now and then although the
       service is up (office-js #4889, #4972): one more try while the budget allows it. */
    if (run && !svStopped(run) && svHostName() === "Outlook" && svRemaining(run) >= svReserve(run)) {
      svLog("api: request failed, retrying once");
      return attempt();
    }
    throw err;
  }).then(function (res) {
    if (res.status === 401 || res.status === 403) {
      throw svError("login", "status " + res.status);
    }
    if (res.status < 200 || res.status > 299) {
      throw svError("service", "status " + res.status);
    }
    return Promise.resolve().then(function () {
      return res.json();
    }).then(null, function () {
      throw svError("service", "answer is not JSON");
    });
  }, function () {
    if (svStopped(run)) {
      throw svError("timeout", "request aborted");
    }
    throw svError("unreachable", "request failed");
  });
}

/* svApiCall is the task pane's form: it gets the token itself, prompting if it must. */
function svApiCall(method, path, body) {
  return svGetToken(true).then(function (token) {
    return svApi(method, path, body, token, null);
  });
}

/* ---------------------------------------------------------------- the draft */

/* svPlausible keeps what the service accepts as an address (a local part, @, a domain). */
function svPlausible(address) {
  var at = address.lastIndexOf("@");
  return at > 0 && at < address.length - 1 && !/[\s<>]/.test(address);
}

function svAddresses(list) {
  var out = [];
  var dropped = 0;
  var i;
  for (i = 0; list && i < list.length; i++) {
    var r = list[i] || {};
    var address = String(r.emailAddress || "").trim();
    if (!svPlausible(address)) {
      dropped++;
      continue;
    }
    out.push({ name: String(r.displayName || "").trim(), address: address });
  }
  if (dropped > 0) {
    svLog("recipients: " + dropped + " without an address");
  }
  return out;
}

function svRecipients(field, label, required) {
  if (!field && !required) {
    return Promise.resolve([]);
  }
  return svAsync(field, "getAsync", [], label).then(svAddresses);
}

function svFrom(item) {
  if (!svMailbox("1.7") || !item.from) {
    return Promise.resolve(null);
  }
  return svAsync(item.from, "getAsync", [], "from").then(function (v) {
    if (!v || !v.emailAddress) {
      return null;
    }
    return { name: String(v.displayName || ""), address: String(v.emailAddress) };
  }, function () {
    return null;
  });
}

function svRouteHeader(item) {
  if (!svMailbox("1.8") || !item.internetHeaders) {
    return Promise.resolve(null);
  }
  var name = Sendevagt.routeHeader;
  return svAsync(item.internetHeaders, "getAsync", [[name]], "headers").then(function (v) {
    var key;
    if (!v || typeof v !== "object") {
      return null;
    }
    for (key in v) {
      if (Object.prototype.hasOwnProperty.call(v, key) && key.toLowerCase() === name.toLowerCase() &&
          typeof v[key] === "string" && v[key] !== "") {
        var h = {};
        h[name] = v[key];
        return h;
      }
    }
    return null;
  }, function () {
    return null;
  });
}

/*
 * svShared tells whether the draft lives in a shared or delegated mailbox (Mailbox 1.8 for
 * shared folders, 1.13 for shared mailboxes; the manifest's SupportsSharedFolders lets the
 * add-in run there at all). It settles with {owner, permissions} or null: Outlook answers a
 * draft in the user's own mailbox with a failure, which is not an error here.
 */
function svShared(item) {
  if (!svMailbox("1.8") || typeof item.getSharedPropertiesAsync !== "function") {
    return Promise.resolve(null);
  }
  return svAsync(item, "getSharedPropertiesAsync", [], "shared properties").then(function (p) {
    if (!p || typeof p.owner !== "string" || p.owner === "") {
      return null;
    }
    if (p.owner.toLowerCase() === svUserAddress().toLowerCase()) {
      return null;
    }
    return { owner: String(p.owner), permissions: Number(p.delegatePermissions) || 0 };
  }, function () {
    return null;
  });
}

/* svCanRead: the shared mailbox's permissions include Read (DelegatePermissions.Read = 1). */
function svCanRead(shared) {
  return (shared.permissions & 1) === 1;
}

/* svIsAppointment: the item is a meeting being organised (OnAppointmentSend), not a message. */
function svIsAppointment(item) {
  return Boolean(item) && item.itemType === svEnum("ItemType", "Appointment", "appointment");
}

/* svOrganizer is the sender of a meeting invitation (Mailbox 1.7), or null. */
function svOrganizer(item) {
  if (!svMailbox("1.7") || !item.organizer) {
    return Promise.resolve(null);
  }
  return svAsync(item.organizer, "getAsync", [], "organizer").then(function (v) {
    if (!v || !v.emailAddress) {
      return null;
    }
    return { name: String(v.displayName || ""), address: String(v.emailAddress) };
  }, function () {
    return null;
  });
}

/*
 * svCollectEnvelope: what the compose window shows (subject, recipients, sender, route header),
 * and the mailbox that holds the draft (a shared mailbox's owner, else the user's own). For a
 * meeting the required attendees are the recipients (to), the optional ones cc, the organiser
 * the sender; appointments have no internet headers.
 */
function svCollectEnvelope(item) {
  var appointment = svIsAppointment(item);
  var jobs = [svAsync(item.subject, "getAsync", [], "subject")];
  if (appointment) {
    jobs.push(svRecipients(item.requiredAttendees, "required attendees", true));
    jobs.push(svRecipients(item.optionalAttendees, "optional attendees", true));
    jobs.push(Promise.resolve([]));
    jobs.push(svOrganizer(item));
    jobs.push(Promise.resolve(null));
  } else {
    jobs.push(svRecipients(item.to, "to", true));
    jobs.push(svRecipients(item.cc, "cc", true));
    jobs.push(svRecipients(item.bcc, "bcc", false));
    jobs.push(svFrom(item));
    jobs.push(svRouteHeader(item));
  }
  jobs.push(svShared(item));
  return Promise.all(jobs).then(function (v) {
    var env = {
      mailbox: svUserAddress(),
      subject: String(v[0] || ""),
      recipients: { to: v[1], cc: v[2], bcc: v[3] }
    };
    if (v[4]) {
      env.from = v[4];
    }
    if (v[5]) {
      env.headers = v[5];
    }
    if (v[6]) {
      env.mailbox = v[6].owner;
      env.shared = v[6];
    }
    if (appointment) {
      env.itemType = "appointment";
    }
    return env;
  });
}

function svRequest(env) {
  var req = { mailbox: env.mailbox, subject: env.subject, recipients: env.recipients };
  if (env.itemType) {
    req.itemType = env.itemType;
  }
  if (env.overrideId) {
    req.overrideId = env.overrideId;
  }
  if (env.from) {
    req.from = env.from;
  }
  if (env.headers) {
    req.headers = env.headers;
  }
  return req;
}

function svListAttachments(item) {
  if (!svMailbox("1.8") || typeof item.getAttachmentsAsync !== "function") {
    return Promise.resolve([]);
  }
  return svAsync(item, "getAttachmentsAsync", [], "attachments").then(function (list) {
    return list || [];
  });
}

/* ---------------------------------------------------------------- UTF-8 and base64 */

/* svUtf8 encodes a string as UTF-8 (lone surrogates become U+FFFD). */
function svUtf8(str) {
  str = String(str);
  var out = new Uint8Array(str.length * 3);
  var n = 0;
  var i;
  for (i = 0; i < str.length; i++) {
    var c = str.charCodeAt(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < str.length) {
      var d = str.charCodeAt(i + 1);
      if (d >= 0xDC00 && d <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        i++;
      }
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xC0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3F);
    } else if (c < 0x10000) {
      out[n++] = 0xE0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3F);
      out[n++] = 0x80 | (c & 0x3F);
    } else {
      out[n++] = 0xF0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3F);
      out[n++] = 0x80 | ((c >> 6) & 0x3F);
      out[n++] = 0x80 | (c & 0x3F);
    }
  }
  return out.subarray(0, n);
}

/* svBase64 encodes bytes (an array or Uint8Array) as standard, padded base64. */
function svBase64(bytes) {
  var abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var parts = [];
  var chunk = [];
  var n = bytes.length;
  var i;
  var v;
  for (i = 0; i + 2 < n; i += 3) {
    v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk.push(abc.charAt((v >> 18) & 63) + abc.charAt((v >> 12) & 63) + abc.charAt((v >> 6) & 63) + abc.charAt(v & 63));
    if (chunk.length === 8192) {
      parts.push(chunk.join(""));
      chunk = [];
    }
  }
  if (n - i === 1) {
    v = bytes[i] << 16;
    chunk.push(abc.charAt((v >> 18) & 63) + abc.charAt((v >> 12) & 63) + "==");
  } else if (n - i === 2) {
    v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk.push(abc.charAt((v >> 18) & 63) + abc.charAt((v >> 12) & 63) + abc.charAt((v >> 6) & 63) + "=");
  }
  parts.push(chunk.join(""));
  return parts.join("");
}

/*
 * svBase64Decode decodes standard base64 (padding optional, line breaks and spaces skipped)
 * into bytes; null when the text is not base64. Written out because the classic Outlook
 * runtime has no atob.
 */
function svBase64Decode(text) {
  var s = String(text);
  var out = new Uint8Array(Math.floor(s.length * 3 / 4) + 3);
  var n = 0;
  var acc = 0;
  var bits = 0;
  var i;
  for (i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    var v;
    if (c >= 65 && c <= 90) {
      v = c - 65;
    } else if (c >= 97 && c <= 122) {
      v = c - 71;
    } else if (c >= 48 && c <= 57) {
      v = c + 4;
    } else if (c === 43 || c === 45) {
      v = 62;
    } else if (c === 47 || c === 95) {
      v = 63;
    } else if (c === 61) {
      break;
    } else if (c === 13 || c === 10 || c === 32 || c === 9) {
      continue;
    } else {
      return null;
    }
    acc = ((acc << 6) | v) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xFF;
    }
  }
  for (; i < s.length; i++) {
    var p = s.charCodeAt(i);
    if (p !== 61 && p !== 13 && p !== 10 && p !== 32 && p !== 9) {
      return null;
    }
  }
  return out.subarray(0, n);
}

/* svAscii is a string of ASCII characters as bytes. */
function svAscii(text) {
  var out = new Uint8Array(text.length);
  var i;
  for (i = 0; i < text.length; i++) {
    out[i] = text.charCodeAt(i) & 0x7F;
  }
  return out;
}

/*
 * svUpload encodes a request body for the service. Attachments read as base64 go as binary
 * parts of a multipart/form-data body, beside the JSON in the part "request" where each names
 * its part: a quarter fewer bytes than base64 inside JSON, and the service takes the bytes as
 * they arrive instead of decoding them. A body without attachment content, or a runtime without
 * typed arrays, gives JSON as before.
 */
function svUpload(body) {
  var json = { contentType: "application/json", body: JSON.stringify(body) };
  var list = body && body.attachments;
  if (body && body.inline) {
    list = body.inline.attachments;
  }
  if (!list || !list.length || typeof Uint8Array !== "function") {
    return json;
  }
  var copy = {};
  var k;
  for (k in body) {
    if (Object.prototype.hasOwnProperty.call(body, k)) {
      copy[k] = body[k];
    }
  }
  var entries = [];
  var files = [];
  var i;
  for (i = 0; i < list.length; i++) {
    var e = {};
    for (k in list[i]) {
      if (Object.prototype.hasOwnProperty.call(list[i], k)) {
        e[k] = list[i][k];
      }
    }
    var bytes = null;
    if (typeof e.contentBase64 === "string" && e.contentBase64 !== "") {
      bytes = svBase64Decode(e.contentBase64);
    }
    if (bytes) {
      delete e.contentBase64;
      e.part = "a" + files.length;
      files.push(bytes);
    }
    entries.push(e);
  }
  if (!files.length) {
    return json;
  }
  if (body.inline) {
    copy.inline = {};
    for (k in body.inline) {
      if (Object.prototype.hasOwnProperty.call(body.inline, k)) {
        copy.inline[k] = body.inline[k];
      }
    }
    copy.inline.attachments = entries;
  } else {
    copy.attachments = entries;
  }
  /* 128 random bits: the boundary cannot be expected in any attachment. */
  var boundary = "sendevagt-";
  for (i = 0; i < 4; i++) {
    boundary += ("0000000" + Math.floor(Math.random() * 4294967296).toString(16)).slice(-8);
  }
  var pieces = [svAscii("--" + boundary + "\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n"),
    svUtf8(JSON.stringify(copy))];
  for (i = 0; i < files.length; i++) {
    pieces.push(svAscii("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"a" + i + "\"; filename=\"a" + i +
      "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
    pieces.push(files[i]);
  }
  pieces.push(svAscii("\r\n--" + boundary + "--\r\n"));
  var total = 0;
  for (i = 0; i < pieces.length; i++) {
    total += pieces[i].length;
  }
  var out = new Uint8Array(total);
  var at = 0;
  for (i = 0; i < pieces.length; i++) {
    out.set(pieces[i], at);
    at += pieces[i].length;
  }
  return { contentType: "multipart/form-data; boundary=" + boundary, body: out };
}

/* ---------------------------------------------------------------- attachments */

function svAttachmentEntry(a) {
  var entry = {
    name: String(a.name || ""),
    contentType: String(a.contentType || ""),
    size: Number(a.size) || 0,
    attachmentType: String(a.attachmentType || "file")
  };
  /* isInline: a picture of the body (a signature logo); the service takes it as decorative. */
  if (a.isInline === true) {
    entry.isInline = true;
  }
  return entry;
}

function svIsCloud(a) {
  return String(a.attachmentType || "").toLowerCase() === svEnum("AttachmentType", "Cloud", "cloud").toLowerCase();
}

/*
 * svReadAttachment fills entry with the attachment's content: base64 as is; an attached mail
 * (eml) or calendar item (iCalendar) encoded UTF-8 then base64; a cloud link (url) without
 * content. It always resolves: a failed read is "omitted": "unavailable".
 */
function svReadAttachment(item, id, entry) {
  return svAsync(item, "getAttachmentContentAsync", [id], "attachment content").then(function (c) {
    var format = c && c.format;
    if (format === svEnum("AttachmentContentFormat", "Base64", "base64")) {
      entry.contentBase64 = String(c.content || "");
    } else if (format === svEnum("AttachmentContentFormat", "Eml", "eml")) {
      entry.contentBase64 = svBase64(svUtf8(c.content || ""));
      entry.contentType = "message/rfc822";
      entry.attachmentType = "item";
    } else if (format === svEnum("AttachmentContentFormat", "ICalendar", "iCalendar")) {
      entry.contentBase64 = svBase64(svUtf8(c.content || ""));
      entry.contentType = "text/calendar";
      entry.attachmentType = "item";
    } else if (format === svEnum("AttachmentContentFormat", "Url", "url")) {
      entry.attachmentType = "cloud";
      entry.omitted = "cloud";
    } else {
      entry.omitted = "unavailable";
    }
    return entry;
  }, function (err) {
    svLog("attachment: content not read " + (err.officeCode || ""));
    entry.omitted = "unavailable";
    return entry;
  });
}

/*
 * svContentFingerprint is a cheap fingerprint of an attachment's base64 content: its length and
 * a hash of its first and last 4 KiB and of 64 windows of 64 characters spread over the rest.
 * A pre-scan entry found by (id, name, size) is used on Send only when the fingerprint of the
 * content read then is the one the pre-scan saved: classic Outlook and Mac give attachments
 * their index as id, so after a removal an entry could otherwise stand for another file.
 */
function svContentFingerprint(b64) {
  var s = String(b64 || "");
  var n = s.length;
  var parts = [String(n), s.substring(0, 4096), s.substring(Math.max(0, n - 4096))];
  var step = Math.floor(n / 65);
  var i;
  if (step > 64) {
    for (i = 1; i <= 64; i++) {
      parts.push(s.substr(i * step, 64));
    }
  }
  var text = parts.join("|");
  return String(n) + ":" + svHash(text, 2166136261) + svHash(text, 374761393);
}

/* svPrescanMatch finds the pre-scan entry of an attachment by id, name and size. */
function svPrescanMatch(map, a) {
  if (!map || !Object.prototype.hasOwnProperty.call(map, String(a.id))) {
    return null;
  }
  var e = map[String(a.id)];
  if (!e || e.name !== String(a.name || "") || Number(e.size) !== (Number(a.size) || 0)) {
    return null;
  }
  return e;
}

/*
 * svBindPrescanned reads a pre-scanned attachment and sends its SHA-256 instead of the content
 * when the content's fingerprint is the pre-scan's; otherwise (another file under the same id,
 * name and size) the content itself goes.
 */
function svBindPrescanned(item, id, entry, known, run) {
  return svReadAttachment(item, id, entry).then(function (e) {
    if (e.contentBase64 !== undefined && !e.omitted && svContentFingerprint(e.contentBase64) === String(known.fp)) {
      delete e.contentBase64;
      e.sha256 = String(known.sha256);
      run.usedSha = true;
    } else if (!e.omitted) {
      svLog("attachment: pre-scan entry does not match the content, sending the content");
    }
    return e;
  });
}

/*
 * svAttachmentsPayload builds the inline attachment list. Every attachment stays in the list:
 * what is not sent is marked (cloud, too_large, unavailable) and the service reports it as not
 * scanned. Pre-scanned ones go as sha256 without content unless force is set.
 */
function svAttachmentsPayload(item, list, map, force, run) {
  var maxOne = svNumber("maxAttachmentBytes", 26214400);
  var maxAll = svNumber("maxInlineBytes", 26214400);
  var total = 0;
  var jobs = [];
  var i;
  for (i = 0; i < list.length; i++) {
    var a = list[i] || {};
    var entry = svAttachmentEntry(a);
    if (svIsCloud(a)) {
      entry.attachmentType = "cloud";
      entry.omitted = "cloud";
      jobs.push(Promise.resolve(entry));
      continue;
    }
    var known = null;
    if (!force) {
      known = svPrescanMatch(map, a);
    }
    if (known && known.sha256 && known.fp) {
      jobs.push(svBindPrescanned(item, a.id, entry, known, run));
      continue;
    }
    if (entry.size > maxOne || total + entry.size > maxAll) {
      entry.omitted = "too_large";
      jobs.push(Promise.resolve(entry));
      continue;
    }
    total += entry.size;
    jobs.push(svReadAttachment(item, a.id, entry));
  }
  return Promise.all(jobs);
}

/* ---------------------------------------------------------------- session data */

function svSessionGet(item, key) {
  if (!svMailbox("1.11") || !item.sessionData) {
    return Promise.resolve("");
  }
  return svAsync(item.sessionData, "getAsync", [key], "session data").then(function (v) {
    if (typeof v !== "string") {
      return "";
    }
    return v;
  }, function () {
    return "";
  });
}

function svSessionSet(item, key, value) {
  if (!svMailbox("1.11") || !item.sessionData) {
    return Promise.resolve(false);
  }
  return svAsync(item.sessionData, "setAsync", [key, value], "session data").then(function () {
    return true;
  }, function () {
    return false;
  });
}

function svSessionRemove(item, key) {
  if (!svMailbox("1.11") || !item.sessionData) {
    return Promise.resolve(false);
  }
  return svAsync(item.sessionData, "removeAsync", [key], "session data").then(function () {
    return true;
  }, function () {
    return false;
  });
}

function svParseMap(text) {
  if (!text) {
    return {};
  }
  try {
    var v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return v;
    }
  } catch (e) {
    /* a broken map is an empty one */
  }
  return {};
}

function svLoadPrescanMap(item) {
  return svSessionGet(item, Sendevagt.prescanKey).then(svParseMap);
}

/* ---------------------------------------------------------------- inline content */

function svCollectInline(run, item, force) {
  var classic = svHostName() === "Outlook";
  var coercion = svCoercion("Html", "html");
  var contentType = "html";
  if (classic) {
    coercion = svCoercion("Text", "text");
    contentType = "text";
  }
  var mapJob = Promise.resolve({});
  if (!force) {
    mapJob = svLoadPrescanMap(item);
  }
  return Promise.all([
    svAsync(item.body, "getAsync", [coercion], "body"),
    svListAttachments(item),
    mapJob
  ]).then(function (v) {
    run.attachmentList = v[1];
    svCheckpoint(run);
    return svAttachmentsPayload(item, v[1], v[2], force, run).then(function (attachments) {
      return { body: { contentType: contentType, content: String(v[0] || "") }, attachments: attachments };
    });
  });
}

/* svCollectDraft: the whole inline on-send request (for the task pane and tests). */
function svCollectDraft(force) {
  var item = svItem();
  var run = svNewRun(svNumber("budgetMs", 4000));
  return svCollectEnvelope(item).then(function (env) {
    run.envelope = env;
    return svCollectInline(run, item, Boolean(force));
  }).then(function (inline) {
    var req = svRequest(run.envelope);
    req.inline = inline;
    return req;
  });
}

/* ---------------------------------------------------------------- the check */

function svGraphMode() {
  if (!svSetting("graph", false)) {
    return false;
  }
  var host = svHostName();
  return host === "OutlookWebApp" || host === "newOutlookWindows";
}

function svHasReason(answer, code) {
  var list = (answer && answer.reasons) || [];
  var i;
  for (i = 0; i < list.length; i++) {
    if (list[i] && list[i].code === code) {
      return true;
    }
  }
  return false;
}

function svInlineCheck(run, item, force) {
  return svCollectInline(run, item, force).then(function (inline) {
    svCheckpoint(run);
    var req = svRequest(run.envelope);
    if (run.itemId) {
      req.itemId = run.itemId;
    }
    req.inline = inline;
    return svApi("POST", "/api/v1/onsend", req, run.token, run);
  }).then(function (answer) {
    if (!force && run.usedSha && answer && answer.resendInline && svHasReason(answer, "content_required")) {
      if (svRemaining(run) >= svReserve(run)) {
        svLog("onsend: pre-scan cache missed, resending with content");
        return svInlineCheck(run, item, true);
      }
    }
    return answer;
  });
}

function svRestId(item) {
  return svAsync(item, "saveAsync", [], "save").then(function (ewsId) {
    if (!ewsId) {
      throw svError("internal", "save gave no id");
    }
    return Office.context.mailbox.convertToRestId(ewsId, svEnum("RestVersion", "v2_0", "v2.0"));
  });
}

function svGraphCheck(run, item) {
  return svRestId(item).then(function (restId) {
    svCheckpoint(run);
    run.itemId = String(restId || "");
    if (!run.itemId) {
      throw svError("internal", "no REST id");
    }
    var req = svRequest(run.envelope);
    req.itemId = run.itemId;
    return svApi("POST", "/api/v1/onsend", req, run.token, run).then(function (answer) {
      if (answer && answer.resendInline && svRemaining(run) >= svReserve(run)) {
        svLog("onsend: draft not readable through Graph, sending inline");
        return svInlineCheck(run, item, false);
      }
      return answer;
    });
  }, function (err) {
    if (svStopped(run)) {
      throw svError("timeout", "stopped");
    }
    svLog("onsend: save failed " + (err.officeCode || "") + ", sending inline");
    return svInlineCheck(run, item, false);
  });
}

/*
 * svOverrideId is the employee's recorded override of a warning (the task pane's "Send
 * alligevel" with a justification) when it was made for this draft as it is now: the same
 * recipients and attachments (svFingerprint without reason codes). Otherwise "".
 */
function svOverrideId(run, item) {
  return svSessionGet(item, Sendevagt.overrideKey).then(function (text) {
    var o = svParseMap(text);
    if (typeof o.id !== "string" || o.id === "" || typeof o.fp !== "string") {
      return "";
    }
    var listJob = Promise.resolve(run.attachmentList);
    if (run.attachmentList === null) {
      listJob = svListAttachments(item).then(null, function () {
        return [];
      });
    }
    return listJob.then(function (list) {
      if (svFingerprint(run.envelope, list, []) !== o.fp) {
        svLog("onsend: the override was made for another version of the draft");
        return "";
      }
      return o.id;
    });
  });
}

/* svCheck runs the check of the current draft and settles with the service's answer. */
function svCheck(run) {
  var item = svItem();
  var envelope = svCollectEnvelope(item).then(function (env) {
    run.envelope = env;
    return svOverrideId(run, item).then(function (id) {
      if (id) {
        env.overrideId = id;
      }
      return env;
    });
  });
  return Promise.all([svGetToken(run.interactive), envelope]).then(function (v) {
    svCheckpoint(run);
    run.token = v[0];
    if (run.envelope.itemType === "appointment") {
      /* Graph's /messages cannot read a meeting being organised: its content goes inline. */
      return svInlineCheck(run, item, false);
    }
    if (svGraphMode()) {
      if (run.envelope.shared && !svCanRead(run.envelope.shared)) {
        svLog("onsend: shared mailbox without read permission, sending inline");
        return svInlineCheck(run, item, false);
      }
      return svGraphCheck(run, item);
    }
    return svInlineCheck(run, item, false);
  }).then(function (answer) {
    if (!answer || typeof answer !== "object" || typeof answer.action !== "string") {
      throw svError("service", "answer without action");
    }
    return answer;
  });
}

/* svCheckDraft is the task pane's "Kontrollér mailen nu": the same check, 30 s to answer. */
function svCheckDraft(timeoutMs) {
  var run = svNewRun(Number(timeoutMs) || 30000);
  run.interactive = true;
  run.timer = setTimeout(function () {
    run.expired = true;
    svAbortAll(run);
  }, run.budget);
  return svCheck(run).then(function (answer) {
    clearTimeout(run.timer);
    return answer;
  }, function (err) {
    clearTimeout(run.timer);
    throw err;
  });
}

/* ---------------------------------------------------------------- verdict → options */

/* svCut shortens text to max characters at a word boundary. */
function svCut(text, max) {
  text = String(text || "");
  if (text.length <= max) {
    return text;
  }
  var cut = text.substring(0, max - 1);
  var space = cut.lastIndexOf(" ");
  if (space > max / 2) {
    cut = cut.substring(0, space);
  }
  return cut.replace(/[\s,;:.]+$/, "") + "…";
}

/* svWithSuffix appends a sentence, shortening the message so the whole stays within 500. */
function svWithSuffix(message, suffix) {
  return svCut(message, 500 - suffix.length - 1) + " " + suffix;
}

function svHash(text, seed) {
  var h = seed >>> 0;
  var i;
  for (i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return ("0000000" + h.toString(16)).slice(-8);
}

/*
 * svFingerprint identifies a warned draft without its content: recipients, attachment names and
 * sizes, and the reason codes, hashed.
 */
function svFingerprint(env, attachments, codes) {
  var parts = [];
  var kinds = ["to", "cc", "bcc"];
  var i;
  var j;
  for (i = 0; i < kinds.length; i++) {
    var list = (env && env.recipients && env.recipients[kinds[i]]) || [];
    var addrs = [];
    for (j = 0; j < list.length; j++) {
      addrs.push(String(list[j].address || "").toLowerCase());
    }
    addrs.sort();
    parts.push(kinds[i] + ":" + addrs.join(","));
  }
  var atts = [];
  for (i = 0; attachments && i < attachments.length; i++) {
    atts.push(String(attachments[i].name || "") + "/" + String(Number(attachments[i].size) || 0));
  }
  atts.sort();
  parts.push("att:" + atts.join("|"));
  var c = (codes || []).slice();
  c.sort();
  parts.push("why:" + c.join(","));
  var text = parts.join(";");
  return svHash(text, 2166136261) + svHash(text, 374761393);
}

function svReasonCodes(answer) {
  var codes = [String(answer.action || "")];
  var list = answer.reasons || [];
  var i;
  for (i = 0; i < list.length; i++) {
    if (list[i] && list[i].code) {
      codes.push(String(list[i].code));
    }
  }
  return codes;
}

/*
 * svSecondSend is the warning for clients without Mailbox 1.14 (no "Send anyway" button): the
 * first Send remembers the draft's fingerprint and cancels; a second Send of the same draft
 * with the same warning goes. Without session data (1.11) it cannot remember: null.
 */
function svSecondSend(run, item, codes) {
  if (!svMailbox("1.11") || !item.sessionData) {
    return Promise.resolve(null);
  }
  var listJob = Promise.resolve(run.attachmentList);
  if (run.attachmentList === null) {
    listJob = svListAttachments(item).then(null, function () {
      return [];
    });
  }
  return listJob.then(function (list) {
    var fp = svFingerprint(run.envelope, list, codes);
    return svSessionGet(item, Sendevagt.warnedKey).then(function (previous) {
      if (previous === fp) {
        return svSessionRemove(item, Sendevagt.warnedKey).then(function () {
          return "again";
        });
      }
      return svSessionSet(item, Sendevagt.warnedKey, fp).then(function (ok) {
        if (ok) {
          return "first";
        }
        return null;
      });
    });
  });
}

function svDefaultMessage(action) {
  if (action === "warn") {
    return "Sendevagt har fundet personoplysninger i mailen. Se efter, at modtagerne må få dem.";
  }
  if (action === "secure") {
    return "Mailen indeholder personoplysninger og skal sendes som sikker mail.";
  }
  return "Sendevagt har stoppet mailen, fordi den indeholder personoplysninger, som modtagerne ikke må få.";
}

function svContextData(answer) {
  var ctx = {
    scanId: String(answer.scanId || ""),
    action: String(answer.action || ""),
    confirm: false,
    header: null,
    subjectTag: ""
  };
  if (answer.overrideReason) {
    ctx.overrideReason = String(answer.overrideReason);
  }
  if (answer.secure && typeof answer.secure === "object") {
    ctx.confirm = Boolean(answer.secure.confirm);
    if (answer.secure.header && answer.secure.header.name) {
      ctx.header = { name: String(answer.secure.header.name), value: String(answer.secure.header.value || "") };
    }
    ctx.subjectTag = String(answer.secure.subjectTag || "");
  }
  return ctx;
}

/* svCommandId is the manifest's task pane button of the item's compose surface. */
function svCommandId() {
  var item = null;
  try {
    item = svItem();
  } catch (e) {
    item = null;
  }
  if (svIsAppointment(item)) {
    return String(svSetting("appointmentCommandId", "sendevagtAppointmentTaskPaneButton"));
  }
  return String(svSetting("taskpaneCommandId", "sendevagtTaskPaneButton"));
}

/* Said under a warning or a block when there is room (Markdown, Mailbox 1.15): the task pane
   that "Se detaljer" opens is where a false alarm is reported. */
var SV_FALSE_ALARM_HINT = "Tog Sendevagt fejl? Vælg **Se detaljer**, og rapportér en falsk alarm.";

function svFalseAlarmHint(options) {
  var md = options.errorMessageMarkdown;
  if (md && options.commandId && md.length + 2 + SV_FALSE_ALARM_HINT.length <= 500) {
    options.errorMessageMarkdown = md + "\n\n" + SV_FALSE_ALARM_HINT;
  }
  return options;
}

/* svDetails adds the "Take action" button that opens the task pane (Mailbox 1.14). */
function svDetails(options, label, ctx) {
  if (svMailbox("1.14")) {
    options.cancelLabel = label;
    options.commandId = svCommandId();
    options.contextData = JSON.stringify(ctx);
  }
  return options;
}

/* svMarkdown adds the service's Markdown (Mailbox 1.15). The service cuts it before formatting;
   one that is still too long is left out (cutting it here could break its markup), and the
   plain errorMessage stands. */
function svMarkdown(options, answer) {
  var md = String(answer.messageMarkdown || "");
  if (svMailbox("1.15") && md !== "" && md.length <= 500) {
    options.errorMessageMarkdown = md;
  }
  return options;
}

function svSubjectTag(secure) {
  var tag = "";
  if (secure && secure.subjectTag) {
    tag = String(secure.subjectTag);
  }
  return tag;
}

/* svAddSubjectTag puts tag in front of the subject unless the subject has it (any case). */
function svAddSubjectTag(item, tag) {
  return svAsync(item.subject, "getAsync", [], "subject").then(function (subject) {
    subject = String(subject || "");
    if (subject.toLowerCase().indexOf(tag.toLowerCase()) >= 0) {
      return true;
    }
    var next = tag + " " + subject;
    if (subject === "") {
      next = tag;
    }
    return svAsync(item.subject, "setAsync", [next.substring(0, 255)], "subject").then(function () {
      return true;
    });
  }).then(null, function (err) {
    svLog("secure: subject tag not set " + (err.officeCode || ""));
    return false;
  });
}

/*
 * svMarkSecure marks the draft as secure mail: the header (Mailbox 1.8), and the subject tag
 * when the policy asks for one. When the header cannot be set, the tag (the policy's, or
 * "[sikker]") is the marking. Settles with {header, tag}: what was achieved.
 */
function svMarkSecure(item, secure) {
  var header = (secure && secure.header) || { name: Sendevagt.routeHeader, value: "secure" };
  var headerJob = Promise.resolve(false);
  if (header.name && svMailbox("1.8") && item.internetHeaders) {
    var h = {};
    h[String(header.name)] = String(header.value || "");
    headerJob = svAsync(item.internetHeaders, "setAsync", [h], "headers").then(function () {
      return true;
    }, function (err) {
      svLog("secure: header not set " + (err.officeCode || ""));
      return false;
    });
  }
  return headerJob.then(function (headerOK) {
    return svApplyLabel(item, secure).then(function () {
      return headerOK;
    });
  }).then(function (headerOK) {
    var tag = svSubjectTag(secure);
    if (tag === "" && !headerOK) {
      tag = Sendevagt.defaultSubjectTag;
    }
    if (tag === "") {
      return { header: headerOK, tag: false };
    }
    return svAddSubjectTag(item, tag).then(function (tagOK) {
      return { header: headerOK, tag: tagOK };
    });
  });
}

/* svLabelKnown finds a label id in the catalog (labels and their sublabels). */
function svLabelKnown(list, id) {
  var i;
  for (i = 0; list && i < list.length; i++) {
    var l = list[i] || {};
    if (String(l.id || "").toLowerCase() === id.toLowerCase()) {
      return true;
    }
    if (l.children && svLabelKnown(l.children, id)) {
      return true;
    }
  }
  return false;
}

/*
 * svUnmarkSecure undoes svMarkSecure's marking (the task pane's "Fortryd"): the route header is
 * removed and the tag taken off the front of the subject. Settles with {header, tag}: what was
 * removed. A sensitivity label is left as it is (the employee changes it in Outlook).
 */
function svUnmarkSecure(item, secure) {
  var header = (secure && secure.header) || { name: Sendevagt.routeHeader, value: "secure" };
  var headerJob = Promise.resolve(false);
  if (header.name && svMailbox("1.8") && item.internetHeaders) {
    headerJob = svAsync(item.internetHeaders, "removeAsync", [[String(header.name)]], "headers").then(function () {
      return true;
    }, function () {
      return false;
    });
  }
  var tag = String((secure && secure.subjectTag) || "");
  return headerJob.then(function (headerOK) {
    if (tag === "") {
      return { header: headerOK, tag: false };
    }
    return svAsync(item.subject, "getAsync", [], "subject").then(function (subject) {
      subject = String(subject || "");
      if (subject.toLowerCase().indexOf(tag.toLowerCase()) !== 0) {
        return { header: headerOK, tag: false };
      }
      var rest = subject.substring(tag.length).replace(/^\s+/, "");
      return svAsync(item.subject, "setAsync", [rest], "subject").then(function () {
        return { header: headerOK, tag: true };
      });
    }).then(null, function () {
      return { header: headerOK, tag: false };
    });
  });
}

/* svMarkedSecure tells whether the draft carries the route header's secure value now. */
function svMarkedSecure(item) {
  return svRouteHeader(item).then(function (h) {
    return Boolean(h && h[Sendevagt.routeHeader] === "secure");
  });
}

/* svApplyLabel sets the policy's sensitivity label (Mailbox 1.13, Purview) when the verdict names
   one, after checking that labels are enabled for the user (getIsEnabledAsync) and that the
   catalog has it. It is an addition to the header, never a replacement: a failure is logged and
   ignored. */
function svApplyLabel(item, secure) {
  var label = String((secure && secure.sensitivityLabelId) || "");
  if (label === "" || !svMailbox("1.13") || !item.sensitivityLabel || !item.sensitivityLabel.setAsync) {
    return Promise.resolve(false);
  }
  var catalog = null;
  try {
    catalog = Office.context.sensitivityLabelsCatalog || null;
  } catch (e) {
    catalog = null;
  }
  if (!catalog) {
    return Promise.resolve(false);
  }
  return svAsync(catalog, "getIsEnabledAsync", [], "label catalog").then(function (enabled) {
    if (enabled !== true) {
      svLog("secure: sensitivity labels are not enabled for this user");
      return false;
    }
    return svAsync(catalog, "getAsync", [], "label catalog").then(function (list) {
      if (!svLabelKnown(list, label)) {
        svLog("secure: the policy's sensitivity label is not in the user's catalog");
        return false;
      }
      return svAsync(item.sensitivityLabel, "setAsync", [label], "label").then(function () {
        return true;
      });
    });
  }).then(null, function (err) {
    svLog("secure: sensitivity label not set " + (err.officeCode || ""));
    return false;
  });
}

function svRemember(item, ctx) {
  return svSessionSet(item, Sendevagt.lastKey, JSON.stringify(ctx));
}

/* svAsksReason: the policy wants sending despite this warning to go through the task pane. */
function svAsksReason(answer) {
  return answer.overrideReason === "required" || answer.overrideReason === "optional";
}

function svWarnOptions(run, item, answer, ctx) {
  var message = svCut(answer.message || svDefaultMessage("warn"), 500);
  if (svAsksReason(answer)) {
    /* Outlook's dialog cannot take text: the button opens the task pane, where the employee
       writes the reason; the service records the override and the next Send of the same
       draft goes. No Send Anyway: it would bypass the record. */
    if (svMailbox("1.14")) {
      var ro = { allowEvent: false,
        errorMessage: svWithSuffix(message, "Vælg »Begrund og send« for at sende alligevel med en kort begrundelse.") };
      return Promise.resolve(svDetails(ro, "Begrund og send", ctx));
    }
    return Promise.resolve({ allowEvent: false,
      errorMessage: svWithSuffix(message, "Vil du sende alligevel, så åbn Sendevagt i båndet, skriv en kort begrundelse, og tryk Send igen.") });
  }
  if (svMailbox("1.14")) {
    var options = { allowEvent: false, errorMessage: message,
      sendModeOverride: svEnum("SendModeOverride", "PromptUser", "promptUser") };
    svMarkdown(options, answer);
    return Promise.resolve(svFalseAlarmHint(svDetails(options, "Se detaljer", ctx)));
  }
  return svSecondSend(run, item, svReasonCodes(answer)).then(function (state) {
    if (state === "again") {
      svLog("onsend: warned before, sent again");
      return { allowEvent: true };
    }
    if (state === "first") {
      return { allowEvent: false, errorMessage: svWithSuffix(message, "Tryk Send igen for at sende alligevel.") };
    }
    return { allowEvent: false, errorMessage: message };
  });
}

function svBlockOptions(answer, ctx) {
  var options = { allowEvent: false, errorMessage: svCut(answer.message || svDefaultMessage("block"), 500) };
  svMarkdown(options, answer);
  return svFalseAlarmHint(svDetails(options, "Se detaljer", ctx));
}

function svSecureOptions(run, item, answer, ctx) {
  var secure = answer.secure || {};
  var message = answer.message || svDefaultMessage("secure");
  var tag = svSubjectTag(secure);
  if (tag === "") {
    tag = Sendevagt.defaultSubjectTag;
  }
  if (secure.confirm) {
    if (svMailbox("1.14")) {
      var options = { allowEvent: false, errorMessage: svCut(message, 500) };
      svMarkdown(options, answer);
      /* The button cancels this Send and opens the task pane: it is named for what it does. */
      return Promise.resolve(svDetails(options, "Markér som sikker", ctx));
    }
    return Promise.resolve({ allowEvent: false,
      errorMessage: svWithSuffix(message, "Skriv " + tag + " i emnet, og tryk Send igen for at sende som sikker mail.") });
  }
  return svMarkSecure(item, secure).then(function (done) {
    if (done.header || done.tag) {
      svLog("onsend: marked secure");
      return { allowEvent: true };
    }
    return { allowEvent: false,
      errorMessage: "Sendevagt kunne ikke markere mailen som sikker mail. Skriv " + tag + " i emnet, og tryk Send igen." };
  });
}

/* svVerdictOptions turns the service's answer into event.completed's options. */
function svVerdictOptions(run, answer) {
  var item = svItem();
  var action = String(answer.action || "");
  if (action === "allow") {
    return svClearUnchecked(run, item).then(function () {
      return { allowEvent: true };
    });
  }
  if (action !== "warn" && action !== "block" && action !== "secure") {
    return Promise.reject(svError("service", "unknown action"));
  }
  var ctx = svContextData(answer);
  return Promise.all([svRemember(item, ctx), svClearUnchecked(run, item)]).then(function () {
    if (action === "warn") {
      return svWarnOptions(run, item, answer, ctx);
    }
    if (action === "secure") {
      return svSecureOptions(run, item, answer, ctx);
    }
    return svBlockOptions(answer, ctx);
  });
}

/* ---------------------------------------------------------------- fail mode */

function svFailMode() {
  var mode = String(svSetting("failMode", "warn")).toLowerCase();
  if (mode === "block") {
    return "block";
  }
  return "warn";
}

function svFailText(reason, mode) {
  var start = "Sendevagt kunne ikke kontrollere mailen, fordi " + svWhy(reason) + ". ";
  if (mode === "block") {
    return start + "Mailen er ikke sendt. Prøv igen om lidt, eller kontakt IT-support, hvis det bliver ved.";
  }
  if (mode === "again") {
    return start + "Se selv efter, at mailen og vedhæftningerne kun indeholder oplysninger, som modtageren må få, og tryk derefter Send igen for at sende alligevel.";
  }
  return start + "Se selv efter, at mailen og vedhæftningerne kun indeholder oplysninger, som modtageren må få, og vælg derefter Send alligevel.";
}

/*
 * svStampUnchecked marks a mail that may go without a verdict (fail mode warn) with the internet
 * header X-Sendevagt-Route: unchecked (Mailbox 1.8; messages only), so an Exchange transport rule
 * can encrypt or hold it, as a mail gateway would. It always resolves: true when stamped.
 */
function svStampUnchecked(item) {
  if (svFailMode() !== "warn" || !svMailbox("1.8") || !item || !item.internetHeaders || svIsAppointment(item)) {
    return Promise.resolve(false);
  }
  var h = {};
  h[Sendevagt.routeHeader] = Sendevagt.uncheckedValue;
  return svAsync(item.internetHeaders, "setAsync", [h], "headers").then(function () {
    svLog("onsend: stamped unchecked");
    return true;
  }, function (err) {
    svLog("onsend: unchecked stamp not set " + (err.officeCode || ""));
    return false;
  });
}

/* svClearUnchecked removes an earlier unchecked stamp once a verdict has been had. */
function svClearUnchecked(run, item) {
  var h = run.envelope && run.envelope.headers;
  if (!h || h[Sendevagt.routeHeader] !== Sendevagt.uncheckedValue || !item.internetHeaders) {
    return Promise.resolve(false);
  }
  return svAsync(item.internetHeaders, "removeAsync", [[Sendevagt.routeHeader]], "headers").then(function () {
    return true;
  }, function () {
    return false;
  });
}

/* svFailNow is the fail mode's answer without session data (safe to give at once). */
function svFailNow(reason) {
  if (svFailMode() === "warn" && svMailbox("1.14")) {
    return { allowEvent: false, errorMessage: svFailText(reason, "warn"),
      sendModeOverride: svEnum("SendModeOverride", "PromptUser", "promptUser") };
  }
  return { allowEvent: false, errorMessage: svFailText(reason, "block") };
}

/* svFailOptions: the fail mode, with the second-Send rule for warn on clients before 1.14. */
function svFailOptions(run, reason) {
  if (svFailMode() !== "warn" || svMailbox("1.14") || !svMailbox("1.11")) {
    return Promise.resolve(svFailNow(reason));
  }
  var item;
  try {
    item = svItem();
  } catch (e) {
    return Promise.resolve(svFailNow(reason));
  }
  return svSecondSend(run, item, ["fail"]).then(function (state) {
    if (state === "again") {
      svLog("onsend: fail mode warned before, sent again");
      return { allowEvent: true };
    }
    if (state === "first") {
      return { allowEvent: false, errorMessage: svFailText(reason, "again") };
    }
    return svFailNow(reason);
  }, function () {
    return svFailNow(reason);
  });
}

/* ---------------------------------------------------------------- handlers */

function onMessageSendHandler(event) {
  var run = svNewRun(svNumber("budgetMs", 4000));
  var finish = svCompleter(event, run);
  var failing = false;
  var fail = function (reason) {
    if (run.done || failing) {
      return;
    }
    failing = true;
    svLog("onsend: fail mode " + svFailMode() + ", " + reason + ", " + (svNow() - run.started) + " ms");
    var hard = setTimeout(function () {
      finish(svFailNow(reason));
    }, 500);
    var stamped = Promise.resolve(false);
    try {
      stamped = svStampUnchecked(svItem());
    } catch (e) {
      stamped = Promise.resolve(false);
    }
    stamped.then(function () {
      return svFailOptions(run, reason);
    }).then(function (options) {
      clearTimeout(hard);
      finish(options);
    }, function () {
      clearTimeout(hard);
      finish(svFailNow(reason));
    });
  };
  try {
    run.timer = setTimeout(function () {
      run.timer = null;
      run.expired = true;
      svAbortAll(run);
      fail("timeout");
    }, run.budget);
    svLog("onsend: start, host " + svHostName() + ", " + String(svSetting("version", "")));
    svCheck(run).then(function (answer) {
      svCheckpoint(run);
      return svVerdictOptions(run, answer).then(function (options) {
        svLog("onsend: " + answer.action + ", " + (svNow() - run.started) + " ms");
        finish(options);
      });
    }).then(null, function (err) {
      if (run.done) {
        return;
      }
      if (svStopped(run)) {
        fail("timeout");
        return;
      }
      if (err && err.officeCode) {
        svLog("onsend: Outlook error " + err.officeCode);
      }
      fail(svReason(err));
    }).then(null, function () {
      finish(svFailNow("internal"));
    });
  } catch (e) {
    finish(svFailNow("internal"));
  }
}

/* ---------------------------------------------------------------- pre-scan */

/* svSavePrescanMap merges results into the stored map, keeping only attachments still there. */
function svSavePrescanMap(item, list, results) {
  if (!svMailbox("1.11") || !item.sessionData) {
    return Promise.resolve(false);
  }
  return svLoadPrescanMap(item).then(function (stored) {
    var next = {};
    var i;
    for (i = 0; i < list.length; i++) {
      var a = list[i] || {};
      var id = String(a.id);
      var e = svPrescanMatch(results, a);
      if (!e) {
        e = svPrescanMatch(stored, a);
      }
      if (e) {
        next[id] = e;
      }
    }
    var text = JSON.stringify(next);
    var ids = Object.keys(next);
    while (text.length > 40000 && ids.length > 0) {
      delete next[ids.pop()];
      text = JSON.stringify(next);
    }
    return svSessionSet(item, Sendevagt.prescanKey, text);
  });
}

function svPrescan(run) {
  var item = svItem();
  if (!svMailbox("1.8") || typeof item.getAttachmentsAsync !== "function") {
    return Promise.resolve(0);
  }
  var maxOne = svNumber("maxAttachmentBytes", 26214400);
  var maxAll = svNumber("maxInlineBytes", 26214400);
  return Promise.all([svListAttachments(item), svLoadPrescanMap(item)]).then(function (v) {
    var list = v[0];
    var map = v[1];
    var todo = [];
    var total = 0;
    var i;
    for (i = 0; i < list.length; i++) {
      var a = list[i] || {};
      var size = Number(a.size) || 0;
      if (svPrescanMatch(map, a) || svIsCloud(a) || size > maxOne || total + size > maxAll) {
        continue;
      }
      total += size;
      todo.push(a);
    }
    if (todo.length === 0) {
      return svSavePrescanMap(item, list, {}).then(function () {
        return 0;
      });
    }
    return svGetToken().then(function (token) {
      svCheckpoint(run);
      var reads = [];
      for (i = 0; i < todo.length; i++) {
        reads.push(svReadAttachment(item, todo[i].id, svAttachmentEntry(todo[i])));
      }
      return Promise.all(reads).then(function (entries) {
        svCheckpoint(run);
        var send = [];
        var sent = [];
        var j;
        for (j = 0; j < entries.length; j++) {
          if (entries[j].contentBase64 && !entries[j].omitted) {
            send.push(entries[j]);
            sent.push(todo[j]);
          }
        }
        if (send.length === 0) {
          return 0;
        }
        return svApi("POST", "/api/v1/prescan", { attachments: send }, token, run).then(function (answer) {
          svCheckpoint(run);
          var results = {};
          var got = (answer && answer.attachments) || [];
          var k;
          for (k = 0; k < sent.length && k < got.length; k++) {
            if (got[k] && typeof got[k].sha256 === "string" && got[k].sha256 !== "") {
              results[String(sent[k].id)] = { name: String(sent[k].name || ""), size: Number(sent[k].size) || 0,
                sha256: got[k].sha256, status: String(got[k].status || ""), fp: svContentFingerprint(send[k].contentBase64),
                problem: Boolean(got[k].problem) };
            }
          }
          /* The list may have changed while the pre-scan ran: save against the list as it is now,
             so a removed attachment leaves no entry another file could take over. */
          return svListAttachments(item).then(function (now) {
            return svSavePrescanMap(item, now, results);
          }).then(function () {
            return send.length;
          });
        });
      });
    });
  });
}

/* ---------------------------------------------------------------- info bar */

var SV_INFO_KEY = "sendevagtPreview";

/* svInfoText is the info bar's text for a verdict (Outlook shows at most 150 characters). */
function svInfoText(action) {
  if (action === "block") {
    return "Sendevagt: Mailen kan ikke sendes, som den er. Den indeholder personoplysninger, som modtagerne ikke må få.";
  }
  if (action === "secure") {
    return "Sendevagt: Mailen indeholder personoplysninger og skal sendes som sikker mail.";
  }
  return "Sendevagt: Mailen indeholder personoplysninger. Se efter, at modtagerne må få dem, før du sender.";
}

/*
 * svInfoBar shows the preview's verdict at once in the compose window (Mailbox 1.3
 * notificationMessages): from 1.10 an insight message with "Se detaljer", which opens the task
 * pane; before, an informational message pointing at the ribbon. An allow removes the message.
 * It always resolves.
 */
function svInfoBar(item, answer) {
  if (!svMailbox("1.3") || !item.notificationMessages) {
    return Promise.resolve(false);
  }
  var action = String((answer && answer.action) || "");
  if (action !== "warn" && action !== "block" && action !== "secure") {
    return svAsync(item.notificationMessages, "removeAsync", [SV_INFO_KEY], "notification").then(function () {
      return false;
    }, function () {
      return false;
    });
  }
  var details = { type: svEnum("ItemNotificationMessageType", "InformationalMessage", "informationalMessage"),
    message: svInfoText(action) + " Åbn Sendevagt i båndet for detaljer.", icon: "Icon.16x16", persistent: false };
  if (svMailbox("1.10")) {
    details = { type: svEnum("ItemNotificationMessageType", "InsightMessage", "insightMessage"),
      message: svInfoText(action), icon: "Icon.16x16",
      actions: [{ actionType: svEnum("ActionType", "ShowTaskPane", "showTaskPane"), actionText: "Se detaljer",
        commandId: svCommandId(), contextData: JSON.stringify({ preview: true, action: action }) }] };
  }
  details.message = svCut(details.message, 150);
  return svAsync(item.notificationMessages, "replaceAsync", [SV_INFO_KEY, details], "notification").then(function () {
    return true;
  }, function (err) {
    svLog("info bar: not shown " + (err.officeCode || ""));
    return false;
  });
}

/*
 * svPreview checks the draft as it is after a pre-scan (inline, the pre-scanned attachments by
 * their hash; "preview": the service does not audit it, nothing was sent) and shows the result in
 * the info bar. Configuration "preview" turns it on.
 */
function svPreview(run) {
  var item = svItem();
  if (!svSetting("preview", false) || !svMailbox("1.3") || !item.notificationMessages) {
    return Promise.resolve(null);
  }
  return Promise.all([svGetToken(), svCollectEnvelope(item)]).then(function (v) {
    svCheckpoint(run);
    run.token = v[0];
    run.envelope = v[1];
    return svCollectInline(run, item, false);
  }).then(function (inline) {
    svCheckpoint(run);
    if (svGraphMode()) {
      /* On Send the service reads large attachments from Graph: the preview leaves out the ones
         too large to send inline rather than warn about them. */
      var kept = [];
      var i;
      for (i = 0; i < inline.attachments.length; i++) {
        if (inline.attachments[i].omitted !== "too_large") {
          kept.push(inline.attachments[i]);
        }
      }
      inline.attachments = kept;
    }
    var req = svRequest(run.envelope);
    req.inline = inline;
    req.preview = true;
    return svApi("POST", "/api/v1/onsend", req, run.token, run);
  }).then(function (answer) {
    svCheckpoint(run);
    return svInfoBar(item, answer).then(function () {
      return answer;
    });
  });
}

function svPrescanHandler(event, label) {
  var run = svNewRun(svNumber("prescanBudgetMs", 60000));
  var finish = svCompleter(event, run);
  try {
    run.timer = setTimeout(function () {
      run.timer = null;
      run.expired = true;
      svLog(label + ": out of time");
      finish();
    }, run.budget);
    svPrescan(run).then(function (n) {
      svLog(label + ": pre-scanned " + n + ", " + (svNow() - run.started) + " ms");
      return svPreview(run).then(function (answer) {
        if (answer) {
          svLog(label + ": preview " + answer.action);
        }
        finish();
      }, function (err) {
        svLog(label + ": preview skipped, " + svReason(err));
        finish();
      });
    }, function (err) {
      svLog(label + ": pre-scan skipped, " + svReason(err) + " " + (err && err.officeCode || ""));
      finish();
    });
  } catch (e) {
    svLog(label + ": pre-scan failed");
    finish();
  }
}

/* onAppointmentSendHandler checks a meeting invitation like a mail: the same check and verdicts,
   the attendees as recipients (OnAppointmentSend, Mailbox 1.12). */
function onAppointmentSendHandler(event) {
  onMessageSendHandler(event);
}

function onAttachmentsChangedHandler(event) {
  svPrescanHandler(event, "attachments changed");
}

function onRecipientsChangedHandler(event) {
  svPrescanHandler(event, "recipients changed");
}

/* The browser runtimes (commands.html) must call Office.onReady; classic Outlook's JavaScript-only
   runtime (no window) does not run it, so nothing depends on it. */
if (typeof Office !== "undefined" && typeof window !== "undefined" && typeof Office.onReady === "function") {
  try {
    Office.onReady();
  } catch (e) {
    svLog("Office.onReady threw");
  }
}

if (typeof Office !== "undefined" && Office.actions) {
  Office.actions.associate("onMessageSendHandler", onMessageSendHandler);
  Office.actions.associate("onAppointmentSendHandler", onAppointmentSendHandler);
  Office.actions.associate("onAttachmentsChangedHandler", onAttachmentsChangedHandler);
  Office.actions.associate("onRecipientsChangedHandler", onRecipientsChangedHandler);
}
