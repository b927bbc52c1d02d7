package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/sendevagt/sendevagt/internal/message"
)

// meID is the user id msgraph-sdk-go's Me() puts in URLs; Graph's URL-replace middleware turns
// /users/me-token-to-replace into /me.
const meID = "me-token-to-replace"

// pollInterval is the pause between GETs of a draft that is not synced yet.
const pollInterval = 300 * time.Millisecond

// Prefer header values.
const (
	preferImmutableID = `IdType="ImmutableId"`
	preferText        = `outlook.body-content-type="text"`
)

// attachmentListExpand lists the attachments without their content.
const attachmentListExpand = "attachments($select=id,name,contentType,size,isInline)"

// messageSelect keeps the first response small: the envelope, the body, the custom headers.
func messageSelect() []string {
	return []string{"subject", "body", "from", "sender", "toRecipients", "ccRecipients",
		"bccRecipients", "hasAttachments", "internetMessageHeaders"}
}

// fetch is one FetchMessage call.
type fetch struct {
	c       *Client
	mailbox string // "" for the user's own mailbox
	itemID  string
	slotKey string // the per-mailbox concurrency key
}

// FetchMessage reads draft itemID (a REST id; immutable ids are asked for) from mailbox ("" for
// the user's own mailbox, else a shared mailbox's UPN or id) on behalf of u, with its
// attachments: small files inline, large ones streamed from /$value, attached mails expanded
// and written as message/rfc822, and every attachment that could not be read marked Unread.
// It fails with one of the package's sentinel errors; a single attachment's failure is an
// Unread instead. Without a deadline on ctx, DefaultTimeout applies.
func (c *Client) FetchMessage(ctx context.Context, u User, mailbox, itemID string) (*message.Message, error) {
	if itemID == "" {
		return nil, fmt.Errorf("graph: %w: empty item id", ErrBadRequest)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	start := time.Now()
	tok, err := c.tokens.token(ctx, u)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "graph token failed", slog.String("error", err.Error()))
		return nil, err
	}
	ctx = withToken(ctx, tok)
	mailboxKey := "me:" + strings.ToLower(u.ObjectID)
	if mailbox != "" {
		mailboxKey = "mailbox:" + strings.ToLower(mailbox)
	}
	f := &fetch{c: c, mailbox: mailbox, itemID: itemID, slotKey: strings.ToLower(u.TenantID) + "/" + mailboxKey}
	gm, polls, err := f.message(ctx)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "graph fetch failed", slog.Int("polls", polls),
			slog.Int64("ms", time.Since(start).Milliseconds()), slog.String("error", err.Error()))
		return nil, err
	}
	msg := convertMessage(gm)
	msg.Attachments = f.attachments(ctx, gm.GetAttachments())
	if errors.Is(ctx.Err(), context.Canceled) {
		// The caller gave up; a deadline instead leaves the attachments not read as Unread.
		return nil, fmt.Errorf("graph: attachments: %w: %w", ErrUnavailable, context.Canceled)
	}
	unread := 0
	for _, a := range msg.Attachments {
		if a.Unread != nil {
			unread++
		}
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "graph fetch", slog.Int("attachments", len(msg.Attachments)),
		slog.Int("unread", unread), slog.Int("polls", polls), slog.Int64("ms", time.Since(start).Milliseconds()))
	return msg, nil
}

// user is the request builder of the fetch's mailbox.
func (f *fetch) user() *users.UserItemRequestBuilder {
	if f.mailbox == "" {
		return f.c.graph.Me()
	}
	return f.c.graph.Users().ByUserId(f.mailbox)
}

// headers are the request headers of every Graph call.
func headers(text bool) *abstractions.RequestHeaders {
	h := abstractions.NewRequestHeaders()
	if text {
		h.Add("Prefer", preferImmutableID+", "+preferText)
	} else {
		h.Add("Prefer", preferImmutableID)
	}
	return h
}

// do runs one request under a per-mailbox slot.
func (f *fetch) do(ctx context.Context, fn func() error) error {
	release, err := f.c.mailboxes.acquire(ctx, f.slotKey)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// message GETs the draft, polling while Graph answers 404 ErrorItemNotFound, for at most
// Limits.NotSyncedFor. It returns the number of polls after the first GET.
func (f *fetch) message(ctx context.Context) (models.Messageable, int, error) {
	lim := f.c.lim
	giveUp := time.Now().Add(lim.NotSyncedFor)
	cfg := &users.ItemMessagesMessageItemRequestBuilderGetRequestConfiguration{
		Headers: headers(true),
		QueryParameters: &users.ItemMessagesMessageItemRequestBuilderGetQueryParameters{
			Select: messageSelect(),
			Expand: []string{attachmentListExpand},
		},
		Options: []abstractions.RequestOption{f.c.retry},
	}
	// The message JSON has no attachment content; its body is at most the message size.
	maxBody := lim.MaxMessageBytes + 1<<20
	for polls := 0; ; polls++ {
		var gm models.Messageable
		err := f.do(ctx, func() error {
			var err error
			gm, err = f.user().Messages().ByMessageId(f.itemID).Get(
				withCall(ctx, call{op: "message", poll: polls > 0, maxBody: maxBody}), cfg)
			return err
		})
		if err == nil {
			if gm == nil {
				return nil, polls, fmt.Errorf("graph: message: %w: empty response", ErrUnavailable)
			}
			return gm, polls, nil
		}
		status, code := statusOf(err)
		if status != 404 || code != "ErrorItemNotFound" {
			return nil, polls, classify("message", err)
		}
		wait := pollInterval
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait+minAttempt).After(deadline) {
			return nil, polls, fmt.Errorf("graph: message: %w (404 %s; %d polls, deadline near)", ErrNotSynced, code, polls)
		}
		if time.Now().Add(wait).After(giveUp) {
			return nil, polls, fmt.Errorf("graph: message: %w (404 %s after %d polls)", ErrNotSynced, code, polls)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, polls, classify("message", err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
