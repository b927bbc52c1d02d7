package fakegraph

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// messageProps are the message properties Graph returns without $select.
func messageProps() []string {
	return []string{"subject", "bodyPreview", "body", "sender", "from", "toRecipients",
		"ccRecipients", "bccRecipients", "replyTo", "hasAttachments", "isDraft", "importance", "isRead"}
}

// selectable tells whether this fake knows message property p ($select of anything else is a
// 400, as Graph answers).
func selectable(p string) bool {
	switch p {
	case "id", "internetMessageHeaders", "attachments", "createdDateTime", "lastModifiedDateTime",
		"conversationId", "webLink":
		return true
	}
	for _, m := range messageProps() {
		if p == m {
			return true
		}
	}
	return false
}

// attachmentSelectable tells whether p is an attachment property this fake knows.
func attachmentSelectable(p string) bool {
	switch p {
	case "id", "name", "contentType", "size", "isInline", "lastModifiedDateTime", "contentBytes", "contentId":
		return true
	}
	return false
}

// expandOption is one entry of $expand, e.g. attachments($select=id,name).
type expandOption struct {
	name    string
	selects []string
}

// parseExpand splits $expand at top-level commas and reads each entry's $select option.
func parseExpand(v string) []expandOption {
	var out []expandOption
	for _, part := range splitTop(v, ',') {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		e := expandOption{name: part}
		if i := strings.IndexByte(part, '('); i >= 0 && strings.HasSuffix(part, ")") {
			e.name = strings.TrimSpace(part[:i])
			for _, opt := range splitTop(part[i+1:len(part)-1], ';') {
				k, val, _ := strings.Cut(strings.TrimSpace(opt), "=")
				if strings.EqualFold(strings.TrimSpace(k), "$select") {
					e.selects = parseList(val)
				}
			}
		}
		out = append(out, e)
	}
	return out
}

func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func parseList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) serveMessage(w http.ResponseWriter, r *http.Request, it *item) {
	q := r.URL.Query()
	sel := parseList(q.Get("$select"))
	for _, p := range sel {
		if !selectable(p) {
			writeError(w, r, http.StatusBadRequest, "RequestBroker--ParseUri", "Could not find a property named '"+p+"' on type 'microsoft.graph.message'.")
			return
		}
	}
	var atts *expandOption
	for _, e := range parseExpand(q.Get("$expand")) {
		if e.name != "attachments" {
			writeError(w, r, http.StatusBadRequest, "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named '"+e.name+"' on type 'microsoft.graph.message'.")
			return
		}
		atts = &e
	}
	text := preferText(r)
	obj := it.json(sel, text, atts, false)
	obj["@odata.context"] = s.GraphURL() + "/$metadata#messages/$entity"
	if text {
		w.Header().Set("Preference-Applied", `outlook.body-content-type="text"`)
	}
	writeJSON(w, http.StatusOK, obj)
}

// json renders the message with the selected properties (all default ones when sel is empty).
// atts, when set, expands the attachments with its $select; full renders every attachment with
// its content and attached items expanded (an item inside an expanded itemAttachment).
func (it *item) json(sel []string, text bool, atts *expandOption, full bool) map[string]any {
	props := sel
	if len(props) == 0 {
		props = messageProps()
	}
	obj := map[string]any{"id": it.id, "@odata.etag": `W/"CQAAABYAAAB` + it.id[:min(8, len(it.id))] + `"`}
	for _, p := range props {
		switch p {
		case "subject":
			obj[p] = it.subject
		case "bodyPreview":
			obj[p] = preview(it.plainBody())
		case "body":
			if text && it.bodyType == "html" {
				obj[p] = map[string]any{"contentType": "text", "content": htmlToText(it.body)}
			} else {
				obj[p] = map[string]any{"contentType": it.bodyType, "content": it.body}
			}
		case "sender", "from":
			if it.from != nil {
				obj[p] = recipient(*it.from)
			} else {
				obj[p] = nil
			}
		case "toRecipients":
			obj[p] = recipients(it.to)
		case "ccRecipients":
			obj[p] = recipients(it.cc)
		case "bccRecipients":
			obj[p] = recipients(it.bcc)
		case "replyTo":
			obj[p] = []any{}
		case "hasAttachments":
			obj[p] = len(it.attachments) > 0
		case "isDraft":
			obj[p] = true
		case "isRead":
			obj[p] = true
		case "importance":
			obj[p] = "normal"
		case "internetMessageHeaders":
			hs := make([]any, 0, len(it.headers))
			for _, h := range it.headers {
				hs = append(hs, map[string]any{"name": h.name, "value": h.value})
			}
			obj[p] = hs
		case "createdDateTime", "lastModifiedDateTime":
			obj[p] = "2024-04-02T08:00:00Z"
		case "conversationId":
			obj[p] = "AAQkADA" + it.id[:min(8, len(it.id))]
		case "webLink":
			obj[p] = "https://outlook.office365.com/owa/?ItemID=" + it.id
		}
	}
	if full || atts != nil {
		list := make([]any, 0, len(it.attachments))
		for _, a := range it.attachments {
			if full {
				list = append(list, a.json(nil, true, text))
			} else {
				list = append(list, a.json(atts.selects, false, text))
			}
		}
		obj["attachments"] = list
	}
	return obj
}

func (it *item) plainBody() string {
	if it.bodyType == "html" {
		return htmlToText(it.body)
	}
	return it.body
}

func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > 255 {
		r = r[:255]
	}
	return string(r)
}

func recipient(a address) map[string]any {
	return map[string]any{"emailAddress": map[string]any{"name": a.name, "address": a.addr}}
}

func recipients(list []address) []any {
	out := make([]any, 0, len(list))
	for _, a := range list {
		out = append(out, recipient(a))
	}
	return out
}

func (it *item) attachmentByID(id string) *attachment {
	for _, a := range it.attachments {
		if a.id == id {
			return a
		}
	}
	return nil
}

// json renders an attachment: only the selected properties (plus @odata.type and id) when sel
// is set; the item of an itemAttachment only when expandItem.
func (a *attachment) json(sel []string, expandItem, text bool) map[string]any {
	obj := map[string]any{"@odata.type": a.kind, "id": a.id}
	all := map[string]any{
		"name": a.name, "size": a.size, "isInline": a.isInline,
		"lastModifiedDateTime": "2024-04-02T08:00:00Z",
	}
	switch a.kind {
	case kindFile:
		all["contentType"] = a.contentType
		all["contentId"] = nil
		if a.contentID != "" {
			all["contentId"] = a.contentID
		}
		all["contentBytes"] = a.data // encoding/json writes []byte as base64
		obj["@odata.mediaContentType"] = a.contentType
	case kindItem:
		all["contentType"] = nil
	case kindReference:
		all["contentType"] = a.contentType
	}
	if len(sel) == 0 {
		for k, v := range all {
			obj[k] = v
		}
	} else {
		for _, p := range sel {
			if v, ok := all[p]; ok {
				obj[p] = v
			}
		}
	}
	if a.kind == kindItem && expandItem {
		item := a.item.json(nil, text, nil, true)
		item["@odata.type"] = "#microsoft.graph.message"
		obj["item"] = item
	}
	return obj
}

func serveAttachment(w http.ResponseWriter, r *http.Request, a *attachment, expandItem bool) {
	q := r.URL.Query()
	for _, e := range parseExpand(q.Get("$expand")) {
		if !strings.EqualFold(e.name, "microsoft.graph.itemattachment/item") && !strings.EqualFold(e.name, "item") {
			writeError(w, r, http.StatusBadRequest, "BadRequest", "Parsing OData Select and Expand failed: Could not find a property named '"+e.name+"' on type 'microsoft.graph.attachment'.")
			return
		}
	}
	sel := parseList(q.Get("$select"))
	for _, p := range sel {
		if !attachmentSelectable(p) {
			writeError(w, r, http.StatusBadRequest, "RequestBroker--ParseUri", "Could not find a property named '"+p+"' on type 'microsoft.graph.attachment'.")
			return
		}
	}
	writeJSON(w, http.StatusOK, a.json(sel, expandItem, preferText(r)))
}

// serveValue answers /$value: a file's raw bytes, an item's MIME, 405 for a cloud link.
func serveValue(w http.ResponseWriter, r *http.Request, a *attachment) {
	switch a.kind {
	case kindFile:
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Content-Length", itoa(len(a.data)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(a.data)
	case kindItem:
		b := a.item.mime()
		w.Header().Set("Content-Type", "message/rfc822")
		w.Header().Set("Content-Length", itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	default:
		writeError(w, r, http.StatusMethodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported: reference attachments have no content.")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("Content-Length", itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes Graph's JSON error body.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	var id [16]byte
	_, _ = rand.Read(id[:])
	reqID := hex.EncodeToString(id[:])
	w.Header().Set("request-id", reqID)
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]any{
			"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": reqID,
			"client-request-id": r.Header.Get("client-request-id"),
		},
	}})
}
