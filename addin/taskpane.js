/*
 * Sendevagt task pane: shows why a mail was stopped or warned about, marks it as secure mail,
 * checks the draft on request and reports false alarms. It reuses launchevent.js (loaded
 * first) through the global Sendevagt object. Written in the same conservative JavaScript as
 * the handler (older Outlook web views); all text is set with textContent, never as HTML.
 */
(function () {
  "use strict";

  var ACTIONS = {
    allow: { text: "Sendevagt fandt ingen problemer. Mailen kan sendes.", css: "sv-allow" },
    warn: { text: "Advarsel: Mailen indeholder personoplysninger. Se efter, at modtagerne må få dem, før du sender.", css: "sv-warn" },
    secure: { text: "Mailen indeholder personoplysninger og skal sendes som sikker mail.", css: "sv-secure" },
    block: { text: "Mailen må ikke sendes, som den er.", css: "sv-block" }
  };

  var REASONS = {
    different_citizen: "Et dokument handler om en anden borger end den, der modtager mailen.",
    bulk_cpr: "Mailen indeholder mange CPR-numre.",
    several_external_citizens: "Mailen indeholder oplysninger om flere borgere og går til eksterne modtagere.",
    personal_data_unencrypted: "Mailen indeholder personoplysninger og er ikke markeret som sikker mail.",
    unreadable_attachment: "En vedhæftning kunne ikke kontrolleres.",
    scan_failed: "Kontrollen kunne ikke gennemføres.",
    item_not_synced: "Mailen var endnu ikke gemt på serveren, da den blev kontrolleret.",
    fetch_failed: "Mailens indhold kunne ikke hentes.",
    content_required: "Mailens vedhæftninger skulle sendes igen."
  };

  var KINDS = {
    cpr: "CPR-nummer",
    name: "Navn",
    address: "Adresse",
    sensitive: "Følsomme oplysninger"
  };

  var CATEGORIES = {
    health: "helbred",
    social: "sociale forhold",
    criminal: "strafbare forhold",
    ethnicity: "etnisk oprindelse",
    political: "politisk overbevisning",
    religion: "religion",
    union: "fagforening",
    sexual: "seksuelle forhold",
    genetic: "genetiske data",
    biometric: "biometriske data"
  };

  var STATUSES = {
    encrypted: "krypteret, kunne ikke læses",
    unscannable: "kunne ikke læses",
    unsupported: "filtypen kan ikke kontrolleres",
    too_large: "for stor til at blive kontrolleret"
  };

  var WHY = {
    timeout: "kontrollen tog for lang tid",
    unreachable: "tjenesten kunne ikke nås",
    login: "du kunne ikke logges på Sendevagt",
    service: "tjenesten svarede med en fejl"
  };

  var MAX_ROWS = 200;

  var state = { ctx: null, busy: false };

  function $(id) {
    return document.getElementById(id);
  }

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
  }

  function setStatus(text, kind) {
    var el = $("status");
    el.className = "sv-status";
    if (kind) {
      el.className = "sv-status sv-status-" + kind;
    }
    el.textContent = text;
  }

  function whyText(err) {
    var reason = "";
    if (err && err.sendevagtReason) {
      reason = err.sendevagtReason;
    }
    if (WHY[reason]) {
      return WHY[reason];
    }
    return "der opstod en fejl";
  }

  function item() {
    try {
      return Office.context.mailbox.item;
    } catch (e) {
      return null;
    }
  }

  function classicHost() {
    try {
      return Office.context.mailbox.diagnostics.hostName === "Outlook";
    } catch (e) {
      return false;
    }
  }

  function supported(version) {
    return Sendevagt.supported("Mailbox", version);
  }

  function parseContext(text) {
    if (!text) {
      return null;
    }
    var value = text;
    if (typeof text === "string") {
      try {
        value = JSON.parse(text);
      } catch (e) {
        return null;
      }
    }
    if (!value || typeof value !== "object") {
      return null;
    }
    return value;
  }

  /* readContext: the context the Send dialog passed (1.14), else the last verdict in session data.
     Office calls go through launchevent.js's queue (Sendevagt.call: at most three at once). */
  function readContext(it) {
    var first = Promise.resolve(null);
    if (supported("1.14") && typeof it.getInitializationContextAsync === "function") {
      first = Sendevagt.call(it, "getInitializationContextAsync", [], "initialization context").then(parseContext, function () {
        return null;
      });
    }
    return first.then(function (ctx) {
      if (ctx || !supported("1.11") || !it.sessionData) {
        return ctx;
      }
      return Sendevagt.call(it.sessionData, "getAsync", [Sendevagt.lastKey], "session data").then(parseContext, function () {
        return null;
      });
    });
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function listItem(list, text) {
    var li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }

  function findingWhy(f) {
    var text = KINDS[f.kind] || String(f.kind || "");
    if (f.category) {
      text += " (" + (CATEGORIES[f.category] || f.category) + ")";
    }
    return text;
  }

  /* documentName puts the service's names for the mail's own parts into words. */
  function documentName(name) {
    name = String(name || "");
    if (name === "" || name.indexOf("(mailtekst") === 0) {
      return "Mailens tekst";
    }
    if (name === "(emne)") {
      return "Emnefeltet";
    }
    if (name === "(mailen)") {
      return "Mailen";
    }
    return name;
  }

  /* render shows a scan: the audit record (GET /scans/{id}) or a fresh on-send answer. */
  function render(scan) {
    var action = String(scan.action || "");
    var a = ACTIONS[action] || { text: "Ukendt resultat.", css: "" };
    var verdict = $("verdict");
    verdict.className = "sv-verdict " + a.css;
    verdict.textContent = a.text;

    var reasons = $("reasons");
    clear(reasons);
    var list = scan.reasons || [];
    var i;
    for (i = 0; i < list.length; i++) {
      var r = list[i] || {};
      var text = r.message || REASONS[r.code] || String(r.code || "");
      if (r.documents && r.documents.length && !r.message) {
        text += " (" + r.documents.join(", ") + ")";
      }
      listItem(reasons, text);
    }
    show("reasons-block", list.length > 0);

    var body = $("findings");
    clear(body);
    var findings = scan.findings || [];
    for (i = 0; i < findings.length && i < MAX_ROWS; i++) {
      var f = findings[i] || {};
      var row = document.createElement("tr");
      cell(row, documentName(f.document));
      var page = "–";
      if (f.page) {
        page = String(f.page);
      }
      cell(row, page);
      cell(row, String(f.masked || "")).className = "sv-mono";
      cell(row, findingWhy(f));
      body.appendChild(row);
    }
    show("findings-block", findings.length > 0);
    var more = $("findings-more");
    more.textContent = "";
    more.hidden = true;
    if (findings.length > MAX_ROWS) {
      more.textContent = "Viser " + MAX_ROWS + " af " + findings.length + " fund.";
      more.hidden = false;
    }

    var unscanned = $("unscanned");
    clear(unscanned);
    var docs = scan.documents || [];
    var n = 0;
    for (i = 0; i < docs.length; i++) {
      var d = docs[i] || {};
      if (d.status && d.status !== "scanned") {
        listItem(unscanned, documentName(d.name) + ": " + (STATUSES[d.status] || d.status));
        n++;
      }
    }
    show("unscanned-block", n > 0);
    show("result", true);

    show("secure-button", action === "secure");
    showOverride(action);
    show("feedback", Boolean(state.ctx && state.ctx.scanId) && action !== "allow");
  }

  /* showOverride offers "Send alligevel" with a justification when the policy asks for one. */
  function showOverride(action) {
    var mode = "";
    if (state.ctx && state.ctx.overrideReason) {
      mode = String(state.ctx.overrideReason);
    }
    var visible = action === "warn" && Boolean(state.ctx && state.ctx.scanId) && (mode === "required" || mode === "optional");
    show("override", visible);
    if (visible) {
      var label = "Begrundelse (påkrævet)";
      if (mode === "optional") {
        label = "Begrundelse (valgfri)";
      }
      $("override-label").textContent = label;
    }
  }

  /* onOverride records the override with the service and marks the draft so that the next Send
     of it, with the same recipients and attachments, goes (audited as an override). */
  function onOverride(e) {
    e.preventDefault();
    var it = item();
    if (!state.ctx || !state.ctx.scanId || !it) {
      return;
    }
    var reason = $("override-reason").value.replace(/\s+/g, " ").trim().substring(0, 300);
    if (state.ctx.overrideReason === "required" && reason.length < 5) {
      setStatus("Skriv en kort begrundelse (mindst 5 tegn), før du sender alligevel.", "error");
      $("override-reason").focus();
      return;
    }
    var button = $("override-button");
    button.disabled = true;
    setStatus("Registrerer begrundelsen …");
    var recorded = null;
    Sendevagt.api("POST", "/api/v1/override", { scanId: state.ctx.scanId, reason: reason }).then(function (answer) {
      recorded = answer;
      return Promise.all([Sendevagt.collectEnvelope(it), Sendevagt.listAttachments(it)]);
    }).then(function (v) {
      var mark = JSON.stringify({ id: String(recorded.overrideId || ""), fp: Sendevagt.fingerprint(v[0], v[1], []) });
      return Sendevagt.sessionSet(it, Sendevagt.overrideKey, mark);
    }).then(function (saved) {
      if (!saved) {
        throw new Error("not marked");
      }
      $("override-reason").disabled = true;
      setStatus("Din begrundelse er registreret. Tryk Send for at sende mailen. Ændrer du modtagere eller vedhæftninger, kontrolleres mailen igen.", "done");
    }).then(null, function (err) {
      button.disabled = false;
      if (recorded) {
        setStatus("Begrundelsen er registreret, men mailen kunne ikke markeres. Prøv igen.", "error");
        return;
      }
      setStatus("Begrundelsen kunne ikke registreres, fordi " + whyText(err) + ". Prøv igen om lidt.", "error");
    });
  }

  function setBusy(busy) {
    state.busy = busy;
    $("check-button").disabled = busy;
    $("secure-button").disabled = busy;
    $("undo-secure-button").disabled = busy;
    $("main").setAttribute("aria-busy", String(busy));
  }

  function loadScan(scanId) {
    setStatus("Henter resultatet af kontrollen …");
    return Sendevagt.api("GET", "/api/v1/scans/" + encodeURIComponent(scanId), null).then(function (scan) {
      render(scan);
      setStatus("");
    }, function (err) {
      setStatus("Resultatet kunne ikke hentes, fordi " + whyText(err) + ". Du kan kontrollere mailen igen nedenfor.", "error");
    });
  }

  function contextFromAnswer(answer) {
    var ctx = { scanId: String(answer.scanId || ""), action: String(answer.action || ""), confirm: false, header: null, subjectTag: "",
      overrideReason: String(answer.overrideReason || "") };
    if (answer.secure) {
      ctx.confirm = Boolean(answer.secure.confirm);
      ctx.header = answer.secure.header || null;
      ctx.subjectTag = String(answer.secure.subjectTag || "");
    }
    return ctx;
  }

  function onCheck() {
    if (state.busy) {
      return;
    }
    setBusy(true);
    setStatus("Kontrollerer mailen …");
    Sendevagt.check(30000).then(function (answer) {
      state.ctx = contextFromAnswer(answer);
      render(answer);
      setStatus("Kontrollen er færdig.", "done");
    }, function (err) {
      setStatus("Mailen kunne ikke kontrolleres, fordi " + whyText(err) + ". Prøv igen om lidt.", "error");
    }).then(function () {
      setBusy(false);
    });
  }

  function onSecure() {
    var it = item();
    if (state.busy || !it) {
      return;
    }
    var ctx = state.ctx || {};
    var tag = String(ctx.subjectTag || "");
    if (tag === "" && classicHost()) {
      /* Classic Outlook may drop a header set from a task pane: the tag marks the mail too. */
      tag = Sendevagt.defaultSubjectTag;
    }
    var secure = { header: ctx.header || { name: Sendevagt.routeHeader, value: "secure" }, subjectTag: tag };
    setBusy(true);
    setStatus("Markerer mailen som sikker mail …");
    Sendevagt.markSecure(it, secure).then(function (done) {
      if (done.header || done.tag) {
        setStatus("Mailen er markeret som sikker mail. Tryk Send.", "done");
        $("secure-button").hidden = true;
        state.marked = secure;
        show("secure-state", true);
        return;
      }
      setStatus("Mailen kunne ikke markeres som sikker mail. Skriv " + (tag || Sendevagt.defaultSubjectTag) + " i emnet, og tryk Send.", "error");
    }, function () {
      setStatus("Mailen kunne ikke markeres som sikker mail. Skriv " + (tag || Sendevagt.defaultSubjectTag) + " i emnet, og tryk Send.", "error");
    }).then(function () {
      setBusy(false);
    });
  }

  /* onUndoSecure takes the marking off again (header and subject tag). */
  function onUndoSecure() {
    var it = item();
    if (state.busy || !it) {
      return;
    }
    var tag = Sendevagt.defaultSubjectTag;
    if (state.ctx && state.ctx.subjectTag) {
      tag = String(state.ctx.subjectTag);
    }
    var secure = state.marked || { header: { name: Sendevagt.routeHeader, value: "secure" }, subjectTag: tag };
    setBusy(true);
    Sendevagt.unmarkSecure(it, secure).then(function (done) {
      if (done.header || done.tag) {
        state.marked = null;
        show("secure-state", false);
        show("secure-button", Boolean(state.ctx && state.ctx.action === "secure"));
        setStatus("Markeringen som sikker mail er fjernet. Mailen sendes ikke krypteret.", "done");
        return;
      }
      setStatus("Markeringen kunne ikke fjernes. Fjern " + Sendevagt.defaultSubjectTag + " fra emnet selv.", "error");
    }).then(function () {
      setBusy(false);
    });
  }

  function onFeedback(e) {
    e.preventDefault();
    if (!state.ctx || !state.ctx.scanId) {
      return;
    }
    var button = $("feedback-button");
    var comment = $("feedback-comment").value.trim().substring(0, 500);
    var body = { scanId: state.ctx.scanId, kind: "false_alarm" };
    if (comment !== "") {
      body.comment = comment;
    }
    button.disabled = true;
    setStatus("Sender rapporten …");
    Sendevagt.api("POST", "/api/v1/feedback", body).then(function () {
      $("feedback-comment").value = "";
      $("feedback-comment").disabled = true;
      setStatus("Tak. Din rapport om falsk alarm er sendt.", "done");
    }, function (err) {
      button.disabled = false;
      setStatus("Rapporten kunne ikke sendes, fordi " + whyText(err) + ". Prøv igen om lidt.", "error");
    });
  }

  function start() {
    $("check-button").addEventListener("click", onCheck);
    $("secure-button").addEventListener("click", onSecure);
    $("undo-secure-button").addEventListener("click", onUndoSecure);
    $("feedback-form").addEventListener("submit", onFeedback);
    $("override-form").addEventListener("submit", onOverride);
    var it = item();
    if (!it) {
      setStatus("Åbn en mail, du er ved at skrive, for at bruge Sendevagt.");
      $("check-button").disabled = true;
      return;
    }
    /* A visible state when the mail will go encrypted, with undo. */
    Sendevagt.markedSecure(it).then(function (marked) {
      if (marked) {
        show("secure-state", true);
      }
    }, function () {
      return null;
    });
    readContext(it).then(function (ctx) {
      if (ctx && ctx.preview && !ctx.scanId) {
        /* Opened from the info bar: the preview was not stored, so check the draft now. */
        state.ctx = null;
        onCheck();
        return null;
      }
      state.ctx = ctx;
      if (ctx && ctx.scanId) {
        return loadScan(ctx.scanId).then(function () {
          if (ctx.action === "secure") {
            show("secure-button", true);
          }
        });
      }
      setStatus("Tryk på Kontrollér mailen nu for at få mailen kontrolleret, før du sender den.");
      return null;
    }).then(null, function () {
      setStatus("Sendevagt kunne ikke starte. Luk ruden, og prøv igen.", "error");
    });
  }

  if (typeof Office !== "undefined" && typeof Office.onReady === "function") {
    Office.onReady(function () {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
        return;
      }
      start();
    });
  } else if (typeof document !== "undefined") {
    document.addEventListener("DOMContentLoaded", function () {
      setStatus("Sendevagt virker kun i Outlook.", "error");
    });
  }
}());
