package admin

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Flash messages after a redirect travel as a code ("?ok=policy-saved&n=4"), never as text: a
// link could otherwise make the admin page show any sentence an attacker chose. Unknown codes
// show nothing; n is only ever a number.
const (
	flashLoggedOut         = "logged-out"
	flashPolicySaved       = "policy-saved"  // n: the version
	flashRetentionSet      = "retention-set" // n: days (0: until deleted)
	flashRowDeleted        = "row-deleted"
	flashRowsDeleted       = "rows-deleted" // n: how many
	flashFeedbackConfirmed = "feedback-confirmed"
	flashFeedbackDismissed = "feedback-dismissed"
)

// maxFlashNumber bounds n.
const maxFlashNumber = 1_000_000_000

// flashQuery is the query string that shows code (with the number n, where the message has one).
func flashQuery(code string, n int) string {
	v := url.Values{"ok": {code}}
	if n != 0 {
		v.Set("n", strconv.Itoa(n))
	}
	return v.Encode()
}

// flashText is the message for the request's ?ok= code, or "".
func flashText(c echo.Context) string {
	n, err := strconv.Atoi(c.QueryParam("n"))
	if err != nil || n < 0 || n > maxFlashNumber {
		n = 0
	}
	switch c.QueryParam("ok") {
	case flashLoggedOut:
		return "Du er logget ud"
	case flashPolicySaved:
		if n == 0 {
			return "Politikken er gemt."
		}
		return policySavedMessage(n)
	case flashRetentionSet:
		if n == 0 {
			return "Rækkerne opbevares nu, indtil de slettes."
		}
		return fmt.Sprintf("Opbevaringstiden er sat til %d dage fra importen.", n)
	case flashRowDeleted:
		return "Rækken er slettet."
	case flashRowsDeleted:
		return fmt.Sprintf("%d rækker for adressen er slettet.", n)
	case flashFeedbackConfirmed:
		return "Rapporten er bekræftet som falsk alarm."
	case flashFeedbackDismissed:
		return "Rapporten er afvist: afgørelsen var rigtig."
	}
	return ""
}

// maxPage bounds a ?page= (?side=) number: a huge one would overflow the offset.
const maxPage = 100_000

// pageParam reads a page number: 1 when missing or not a number, at most maxPage.
func pageParam(raw string) int {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxPage)
}
