// Package addin embeds the Outlook add-in (the on-send handler, its HTML host page, the task pane
// and the icons) so the service serves it from the same origin as its API. The service renders
// two things into the files when it serves them: the configuration line of launchevent.js and,
// when an MSAL build is configured, the script tag that loads it.
package addin

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
)

//go:embed launchevent.js commands.html taskpane.html taskpane.js taskpane.css assets/*.png
var files embed.FS

// Files are the add-in's files, as served under /addin/.
func Files() fs.FS { return files }

// TaskpaneCommandID is the id of the compose button that opens the task pane: the manifest's
// <Control id> and the commandId launchevent.js passes to event.completed.
const TaskpaneCommandID = "sendevagtTaskPaneButton"

// AppointmentCommandID is the same button on the meeting organiser's compose surface (control
// ids are unique in a manifest): the commandId of OnAppointmentSend's dialog.
const AppointmentCommandID = "sendevagtAppointmentTaskPaneButton"

// Config is what launchevent.js needs to know about the service. It is rendered into the file
// as one line, `var SENDEVAGT_CONFIG = {...};`, when the service serves it.
type Config struct {
	// APIBase is the service's public origin (absolute URLs: the classic Outlook runtime
	// cannot resolve relative ones).
	APIBase string `json:"apiBase"`
	// ClientID is the Entra app registration of the API and the add-in ("" in local mode).
	ClientID string `json:"clientId"`
	// APIScope is the scope the add-in asks a token for (api://host/<client id>/access_as_user).
	APIScope string `json:"apiScope"`
	// FailMode is the policy's action when no verdict can be had: "warn" or "block".
	FailMode string `json:"failMode"`
	// BudgetMs is the whole on-send round trip (Outlook's dialog appears at 5 s, load included).
	BudgetMs int `json:"budgetMs"`
	// Graph tells whether the service reads drafts through Microsoft Graph; without it the
	// add-in always sends the content inline.
	Graph bool `json:"graph"`
	// MaxInlineBytes bounds the attachment content of one inline request (before base64);
	// MaxAttachmentBytes one attachment. Larger ones are sent as "omitted": "too_large".
	MaxInlineBytes     int64 `json:"maxInlineBytes"`
	MaxAttachmentBytes int64 `json:"maxAttachmentBytes"`
	// TaskpaneCommandID is the manifest's task pane button (see the constant).
	TaskpaneCommandID string `json:"taskpaneCommandId"`
	// AppointmentCommandID is the meeting organiser's task pane button (see the constant).
	AppointmentCommandID string `json:"appointmentCommandId,omitempty"`
	// MSAL tells whether msal-browser.min.js is served beside the add-in (nested app
	// authentication in the browser runtimes).
	MSAL    bool   `json:"msal"`
	Version string `json:"version"`
	// OfficeConcurrency is how many Office API calls the add-in has in flight at once (0: its
	// default, 3, the limit of Outlook on the web and new Outlook).
	OfficeConcurrency int `json:"officeConcurrency,omitempty"`
	// Preview: after a pre-scan the add-in checks the draft (not audited) and shows a problem in
	// the compose window's info bar at once.
	Preview bool `json:"preview,omitempty"`
}

var configLine = regexp.MustCompile(`(?m)^var SENDEVAGT_CONFIG = .*;$`)

// LaunchEventJS returns launchevent.js with cfg rendered into its configuration line.
func LaunchEventJS(cfg Config) ([]byte, error) {
	src, err := files.ReadFile("launchevent.js")
	if err != nil {
		return nil, err
	}
	if len(configLine.FindAllIndex(src, -1)) != 1 {
		return nil, errors.New("addin: launchevent.js must have exactly one SENDEVAGT_CONFIG line")
	}
	if cfg.TaskpaneCommandID == "" {
		cfg.TaskpaneCommandID = TaskpaneCommandID
	}
	if cfg.AppointmentCommandID == "" {
		cfg.AppointmentCommandID = AppointmentCommandID
	}
	// encoding/json escapes U+2028 and U+2029, which ES2016 does not allow in string literals.
	j, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("addin: config: %w", err)
	}
	line := append([]byte("var SENDEVAGT_CONFIG = "), j...)
	line = append(line, ';')
	return ASCII(configLine.ReplaceAllLiteral(src, line)), nil
}

// msalMarker is the line of commands.html and taskpane.html where the MSAL script tag goes.
const msalMarker = "<!-- sendevagt:msal -->"

// Page returns commands.html or taskpane.html, with the MSAL script tag when withMSAL.
func Page(name string, withMSAL bool) ([]byte, error) {
	src, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	tag := ""
	if withMSAL {
		tag = `<script src="msal-browser.min.js"></script>`
	}
	return bytes.ReplaceAll(src, []byte(msalMarker), []byte(tag)), nil
}

var associateCall = regexp.MustCompile(`Office\.actions\.associate\(\s*"([A-Za-z_$][\w$]*)"`)

// AssociatedNames are the handler names launchevent.js passes to Office.actions.associate: the
// manifest's LaunchEvent FunctionName values must be among them.
func AssociatedNames() []string {
	src, err := files.ReadFile("launchevent.js")
	if err != nil {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, m := range associateCall.FindAllSubmatch(src, -1) {
		if n := string(m[1]); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
