package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/sendevagt/sendevagt/internal/message"
)

// Unread statuses (package extract's document statuses).
const (
	statusUnsupported = "unsupported"
	statusTooLarge    = "too_large"
	statusUnscannable = "unscannable"
)

// detailReference is the Unread detail of a cloud link.
const detailReference = "cloud link (reference attachment), not scanned"

// jsonSlack is room for the JSON around base64 content.
const jsonSlack = 1 << 20

func base64Len(n int64) int64 { return (n + 2) / 3 * 4 }

// attachments downloads the listed attachments, at most Limits.Concurrency at once (and per
// mailbox across fetches), deciding from each one's size first. The result keeps the listing's
// order; parts of attached mails that could not be read follow their mail as Unread entries
// named "mail.eml/part".
func (f *fetch) attachments(ctx context.Context, list []models.Attachmentable) []message.Attachment {
	lim := f.c.lim
	results := make([][]message.Attachment, len(list))
	var jobs []int
	budget := lim.MaxMessageBytes
	for i, a := range list {
		if a == nil {
			results[i] = []message.Attachment{unread("", statusUnscannable, "attachment missing from Graph's answer")}
			continue
		}
		name := deref(a.GetName())
		switch a.(type) {
		case *models.FileAttachment, *models.ItemAttachment:
		case *models.ReferenceAttachment:
			ua := unread(name, statusUnsupported, detailReference)
			ua.ContentType = mediaType(a.GetContentType())
			results[i] = []message.Attachment{ua}
			continue
		default:
			results[i] = []message.Attachment{unread(name, statusUnsupported, "attachment type "+deref(a.GetOdataType())+" is not read")}
			continue
		}
		size := int64(deref(a.GetSize()))
		switch {
		case size > lim.MaxAttachmentBytes:
			results[i] = []message.Attachment{unread(name, statusTooLarge,
				fmt.Sprintf("%d bytes, more than the %d bytes read per attachment", size, lim.MaxAttachmentBytes))}
		case size > budget:
			results[i] = []message.Attachment{unread(name, statusTooLarge,
				fmt.Sprintf("attachments together exceed the %d bytes read per message", lim.MaxMessageBytes))}
		default:
			budget -= size
			jobs = append(jobs, i)
		}
	}

	work := make(chan int)
	var wg sync.WaitGroup
	for range min(lim.Concurrency, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = f.download(ctx, i, list[i])
			}
		}()
	}
	for _, i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()

	out := make([]message.Attachment, 0, len(list))
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

// download fetches one file or item attachment; a failure becomes an Unread entry.
func (f *fetch) download(ctx context.Context, idx int, a models.Attachmentable) []message.Attachment {
	lim := f.c.lim
	name, id := deref(a.GetName()), deref(a.GetId())
	var (
		res []message.Attachment
		err error
	)
	switch a.(type) {
	case *models.FileAttachment:
		var data []byte
		if size := int64(deref(a.GetSize())); size <= lim.InlineAttachmentBytes {
			data, err = f.fileInline(ctx, id)
		} else {
			data, err = f.fileValue(ctx, id, size)
		}
		if err == nil && int64(len(data)) > lim.MaxAttachmentBytes {
			err = errBodyTooLarge
		}
		// isInline (listed with the attachments): a picture of the body's layout.
		res = []message.Attachment{{Name: name, ContentType: mediaType(a.GetContentType()), Data: data, Inline: deref(a.GetIsInline())}}
	case *models.ItemAttachment:
		var item models.OutlookItemable
		item, err = f.item(ctx, id)
		if err == nil {
			res = f.convertItem(name, item, 1)
		}
	}
	if err == nil {
		return res
	}
	ua := unread(name, statusUnscannable, failureDetail(err))
	if errors.Is(err, errBodyTooLarge) {
		ua.Unread = &message.Unread{Status: statusTooLarge, Detail: fmt.Sprintf("more than the %d bytes read per attachment", lim.MaxAttachmentBytes)}
	}
	f.c.log.LogAttrs(ctx, slog.LevelWarn, "graph attachment not read", slog.Int("index", idx),
		slog.String("status", ua.Unread.Status), slog.String("detail", ua.Unread.Detail))
	return []message.Attachment{ua}
}

func (f *fetch) attachmentBuilder(id string) *users.ItemMessagesItemAttachmentsAttachmentItemRequestBuilder {
	return f.user().Messages().ByMessageId(f.itemID).Attachments().ByAttachmentId(id)
}

// fileInline GETs a small file attachment as JSON with contentBytes.
func (f *fetch) fileInline(ctx context.Context, id string) ([]byte, error) {
	cfg := &users.ItemMessagesItemAttachmentsAttachmentItemRequestBuilderGetRequestConfiguration{
		Headers: headers(false),
		Options: []abstractions.RequestOption{f.c.retry},
	}
	maxBody := base64Len(2*f.c.lim.InlineAttachmentBytes) + jsonSlack
	var res models.Attachmentable
	err := f.do(ctx, func() error {
		var err error
		res, err = f.attachmentBuilder(id).Get(withCall(ctx, call{op: "attachment", maxBody: maxBody}), cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	fa, ok := res.(*models.FileAttachment)
	if !ok {
		return nil, errNoContent
	}
	data := fa.GetContentBytes()
	if data == nil {
		if deref(fa.GetSize()) > 0 {
			return nil, errNoContent
		}
		data = []byte{}
	}
	return data, nil
}

// fileValue streams a large file attachment from /$value, reading at most MaxAttachmentBytes.
// msgraph-sdk-go has no request builder for it (GRAPH.md §3).
func (f *fetch) fileValue(ctx context.Context, id string, size int64) ([]byte, error) {
	limit := f.c.lim.MaxAttachmentBytes
	user := f.mailbox
	if user == "" {
		user = meID
	}
	ri := abstractions.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abstractions.GET,
		"{+baseurl}/users/{user%2Did}/messages/{message%2Did}/attachments/{attachment%2Did}/$value",
		map[string]string{"user%2Did": user, "message%2Did": f.itemID, "attachment%2Did": id})
	ri.Headers.AddAll(headers(false))
	var buf bytes.Buffer
	buf.Grow(int(min(size, limit)))
	h := abstractions.NewRequestHandlerOption()
	h.SetResponseHandler(func(resp any, _ abstractions.ErrorMappings) (any, error) {
		r, ok := resp.(*http.Response)
		if !ok || r == nil {
			return nil, errNoContent
		}
		defer r.Body.Close()
		if r.StatusCode/100 != 2 {
			return nil, readStatusError(r)
		}
		n, err := io.Copy(&buf, io.LimitReader(r.Body, limit+1))
		if err == nil && n > limit {
			err = errBodyTooLarge
		}
		return nil, err // must be nil: kiota panics on a result that is not Parsable
	})
	ri.AddRequestOptions([]abstractions.RequestOption{h, f.c.retry})
	err := f.do(ctx, func() error {
		_, err := f.c.adapter.SendPrimitive(withCall(ctx, call{op: "attachment_value"}), ri, "[]byte", nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readStatusError reads Graph's JSON error body (bounded) into a statusError.
func readStatusError(r *http.Response) error {
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	_ = json.Unmarshal(b, &body)
	return &statusError{status: r.StatusCode, code: body.Error.Code}
}

// item GETs an item attachment with the attached item (and its own attachments, content
// included) expanded.
func (f *fetch) item(ctx context.Context, id string) (models.OutlookItemable, error) {
	cfg := &users.ItemMessagesItemAttachmentsAttachmentItemRequestBuilderGetRequestConfiguration{
		Headers: headers(true),
		QueryParameters: &users.ItemMessagesItemAttachmentsAttachmentItemRequestBuilderGetQueryParameters{
			Expand: []string{"microsoft.graph.itemattachment/item"},
		},
		Options: []abstractions.RequestOption{f.c.retry},
	}
	maxBody := base64Len(f.c.lim.MaxAttachmentBytes) + jsonSlack
	var res models.Attachmentable
	err := f.do(ctx, func() error {
		var err error
		res, err = f.attachmentBuilder(id).Get(withCall(ctx, call{op: "item", maxBody: maxBody}), cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	ia, ok := res.(*models.ItemAttachment)
	if !ok {
		return nil, errNoContent
	}
	return ia.GetItem(), nil
}

// convertItem turns an attached Outlook item, at nesting depth depth (1 for an attachment of the
// draft), into attachments: the first is the item itself (an attached mail as the converted
// message, an event or contact as text), the rest are Unread entries for parts of it that could
// not be read, named "<item>/<part>".
func (f *fetch) convertItem(name string, it models.OutlookItemable, depth int) []message.Attachment {
	switch v := it.(type) {
	case nil:
		return []message.Attachment{unread(name, statusUnscannable, "attached item not returned by Graph")}
	case models.Messageable:
		name = withExtension(name, ".eml")
		m, extras := f.itemMessage(name, v, depth)
		// The converted message goes to extraction as it is: it is not written out as MIME to
		// be parsed again.
		return append([]message.Attachment{{Name: name, ContentType: "message/rfc822", Message: m}}, extras...)
	case models.Eventable:
		return []message.Attachment{{Name: withExtension(name, ".txt"), ContentType: "text/plain", Data: []byte(eventText(v))}}
	case models.Contactable:
		return []message.Attachment{{Name: withExtension(name, ".txt"), ContentType: "text/plain", Data: []byte(contactText(v))}}
	}
	return []message.Attachment{unread(name, statusUnsupported, "attached Outlook item of type "+deref(it.GetOdataType())+" is not read")}
}

// itemMessage converts an attached mail with its own attachments (content inline in Graph's
// answer); what cannot go into its MIME comes back as extras.
func (f *fetch) itemMessage(name string, gm models.Messageable, depth int) (*message.Message, []message.Attachment) {
	m := convertMessage(gm)
	var extras []message.Attachment
	for _, a := range gm.GetAttachments() {
		if a == nil {
			continue
		}
		aname := deref(a.GetName())
		path := name + "/" + aname
		switch a := a.(type) {
		case *models.FileAttachment:
			data := a.GetContentBytes()
			switch {
			case data == nil && deref(a.GetSize()) > 0:
				extras = append(extras, unread(path, statusUnscannable, "content not returned by Graph"))
			case int64(len(data)) > f.c.lim.MaxAttachmentBytes:
				extras = append(extras, unread(path, statusTooLarge, fmt.Sprintf("more than the %d bytes read per attachment", f.c.lim.MaxAttachmentBytes)))
			default:
				m.Attachments = append(m.Attachments, message.Attachment{Name: aname, ContentType: mediaType(a.GetContentType()), Data: data,
					ContentID: strings.Trim(deref(a.GetContentId()), "<> "), Inline: deref(a.GetIsInline())})
			}
		case *models.ItemAttachment:
			if depth+1 > f.c.lim.MaxDepth {
				extras = append(extras, unread(path, statusUnsupported, fmt.Sprintf("attached email nested deeper than %d levels", f.c.lim.MaxDepth)))
				continue
			}
			sub := f.convertItem(aname, a.GetItem(), depth+1)
			if sub[0].Unread == nil {
				m.Attachments = append(m.Attachments, sub[0])
			} else {
				sub[0].Name = name + "/" + sub[0].Name
				extras = append(extras, sub[0])
			}
			for _, e := range sub[1:] {
				e.Name = name + "/" + e.Name
				extras = append(extras, e)
			}
		case *models.ReferenceAttachment:
			extras = append(extras, unread(path, statusUnsupported, detailReference))
		default:
			extras = append(extras, unread(path, statusUnsupported, "attachment type "+deref(a.GetOdataType())+" is not read"))
		}
	}
	return m, extras
}
