package graph

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Errors FetchMessage returns, wrapped with the operation and the HTTP status and Graph error
// code (never a token or message content). Test with errors.Is.
var (
	// ErrNotSynced: the draft still answered 404 ErrorItemNotFound after Limits.NotSyncedFor
	// (classic Outlook in cached mode has not uploaded it yet). The add-in should resend the
	// draft's content inline.
	ErrNotSynced = errors.New("graph: draft not synchronised to the mailbox yet")
	// ErrThrottled: Graph answered 429 after the retries the time budget allowed.
	ErrThrottled = errors.New("graph: throttled")
	// ErrUnavailable: 5xx, a network failure or the deadline. The error also wraps
	// context.DeadlineExceeded or context.Canceled when that was the cause.
	ErrUnavailable = errors.New("graph: unavailable")
	// ErrConsent: the on-behalf-of exchange failed with invalid_grant, e.g. AADSTS65001 (admin
	// consent for the Graph permissions missing) or an assertion Entra ID does not accept.
	ErrConsent = errors.New("graph: on-behalf-of token refused (consent missing or invalid grant)")
	// ErrAccessDenied: Graph answered 401 or 403, or Entra ID refused the application's own
	// credentials (invalid_client, unauthorized_client).
	ErrAccessDenied = errors.New("graph: access denied")
	// ErrBadRequest: Graph rejected the request otherwise (400, e.g. a malformed or EWS-format
	// item id, or a 404 for the mailbox rather than the item).
	ErrBadRequest = errors.New("graph: request rejected")
)

// errBodyTooLarge is returned while reading a response longer than the cap set for it.
var errBodyTooLarge = errors.New("graph: response larger than allowed")

// errNoContent: Graph answered without the content asked for.
var errNoContent = errors.New("graph: no content in the response")

// statusError is a non-2xx answer read by our own response handler ($value downloads).
type statusError struct {
	status int
	code   string
}

func (e *statusError) Error() string {
	if e.code != "" {
		return fmt.Sprintf("graph status %d %s", e.status, e.code)
	}
	return fmt.Sprintf("graph status %d", e.status)
}

// statusOf extracts the HTTP status and Graph error code from an SDK error (0 when the error is
// not an HTTP answer).
func statusOf(err error) (int, string) {
	var od *odataerrors.ODataError
	if errors.As(err, &od) {
		code := ""
		if main := od.GetErrorEscaped(); main != nil && main.GetCode() != nil {
			code = *main.GetCode()
		}
		return od.GetStatusCode(), code
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status, se.code
	}
	var api *abstractions.ApiError
	if errors.As(err, &api) {
		return api.ResponseStatusCode, ""
	}
	return 0, ""
}

// classify maps an error of operation op to one of the sentinels.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	status, code := statusOf(err)
	switch {
	case status == 429:
		return fmt.Errorf("graph: %s: %w (status 429 %s)", op, ErrThrottled, code)
	case status == 401 || status == 403:
		return fmt.Errorf("graph: %s: %w (status %d %s)", op, ErrAccessDenied, status, code)
	case status == 404 && code == "ErrorItemNotFound":
		return fmt.Errorf("graph: %s: %w (status 404 %s)", op, ErrNotSynced, code)
	case status >= 500:
		return fmt.Errorf("graph: %s: %w (status %d %s)", op, ErrUnavailable, status, code)
	case status >= 400:
		return fmt.Errorf("graph: %s: %w (status %d %s)", op, ErrBadRequest, status, code)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("graph: %s: %w: %w", op, ErrUnavailable, context.DeadlineExceeded)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("graph: %s: %w: %w", op, ErrUnavailable, context.Canceled)
	case errors.Is(err, errBodyTooLarge):
		return fmt.Errorf("graph: %s: %w: %w", op, ErrUnavailable, errBodyTooLarge)
	}
	return fmt.Errorf("graph: %s: %w: %w", op, ErrUnavailable, netCause(err))
}

// netCause drops the URL from a *url.Error (it names the mailbox and item) and keeps the cause.
func netCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// failureDetail is the Unread detail of an attachment that could not be downloaded.
func failureDetail(err error) string {
	status, _ := statusOf(err)
	switch {
	case status != 0:
		return fmt.Sprintf("download failed: %d", status)
	case errors.Is(err, errNoContent):
		return "download failed: no content in Graph's answer"
	case errors.Is(err, context.DeadlineExceeded):
		return "download failed: timed out"
	case errors.Is(err, context.Canceled):
		return "download failed: cancelled"
	}
	return "download failed: network error"
}
