package manifest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/addin"
)

// Namespaces of the XML manifest.
const (
	nsApp  = "http://schemas.microsoft.com/office/appforoffice/1.1"
	nsVO10 = "http://schemas.microsoft.com/office/mailappversionoverrides"
	nsVO11 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1"
	nsBT   = "http://schemas.microsoft.com/office/officeappbasictypes/1.0"
	nsXSI  = "http://www.w3.org/2001/XMLSchema-instance"
)

// MinMailbox is the Mailbox requirement set the add-in declares: OnMessageSend needs 1.12, and
// a client below the declared version does not load the add-in at all (mail goes out unchecked).
const MinMailbox = "1.12"

// LaunchEventTypes maps the LaunchEvent types the add-in handles to their handler names in
// launchevent.js.
var LaunchEventTypes = map[string]string{
	"OnMessageSend":                   "onMessageSendHandler",
	"OnMessageAttachmentsChanged":     "onAttachmentsChangedHandler",
	"OnMessageRecipientsChanged":      "onRecipientsChangedHandler",
	"OnAppointmentSend":               "onAppointmentSendHandler",
	"OnAppointmentAttachmentsChanged": "onAttachmentsChangedHandler",
}

// sendEvents are the Smart Alerts events: they take a SendMode, and each appears exactly once
// (a meeting invitation with a citizen's letter attached is checked like a mail).
var sendEvents = []string{"OnMessageSend", "OnAppointmentSend"}

// Length limits of bt:ShortStrings and bt:LongStrings values, and of resource ids.
const (
	maxShortString = 125
	maxLongString  = 250
	maxResID       = 32
)

// Expect is what a manifest must agree with.
type Expect struct {
	// Origin is the origin of the add-in's files, https://host[:port]: every URL must be on it.
	Origin string
	// APIOrigin is the API's origin when the add-in's files are served apart from it
	// (sendevagt addin-bundle): an AppDomain and the SupportUrl may be on it too.
	APIOrigin string
	// Associated are the names launchevent.js passes to Office.actions.associate
	// (addin.AssociatedNames()): every LaunchEvent FunctionName must be one of them.
	Associated []string
	// WellKnown is the published microsoft-officeaddins-allowed.json: it must list the
	// JavaScript runtime's URL.
	WellKnown []byte
}

// Check parses an XML manifest and reports every problem that would stop the on-send check from
// running (or make it run against another service): the checks of OUTLOOK.md §8 and the
// contract's fixed names. It returns nil for a good manifest.
func Check(manifestXML []byte, want Expect) []error {
	root, err := parseTree(manifestXML)
	if err != nil {
		return []error{fmt.Errorf("manifest is not well-formed XML: %w", err)}
	}
	c := &checker{want: want}
	if want.Origin == "" {
		c.fail("no origin to check the manifest's URLs against")
	} else if o, err := Origin(want.Origin); err != nil {
		c.fail("expected origin: %v", err)
	} else {
		c.origin = o
	}
	if want.APIOrigin != "" {
		if o, err := Origin(want.APIOrigin); err != nil {
			c.fail("expected API origin: %v", err)
		} else {
			c.api = o
		}
	}
	c.check(root)
	return c.errs
}

type checker struct {
	want   Expect
	origin string
	api    string
	errs   []error

	resources map[string]resource // by id
	runtimes  []string            // Runtime resids
	jsURLs    []string            // the javascript Override URLs
}

type resourceKind string

const (
	kindImage  resourceKind = "bt:Image"
	kindURL    resourceKind = "bt:Url"
	kindShort  resourceKind = "short bt:String"
	kindLong   resourceKind = "long bt:String"
	kindAnyRes resourceKind = "resource"
)

type resource struct {
	kind  resourceKind
	value string
	node  *node
}

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

func (c *checker) failAt(n *node, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("line %d: <%s>: %s", n.line, n.name.Local, fmt.Sprintf(format, args...)))
}

// baseOrder is the sequence of the MailApp base manifest (the elements the checker knows).
var baseOrder = []string{"Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName",
	"Description", "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements",
	"FormSettings", "Permissions", "Rule", "DisableEntityHighlighting", "VersionOverrides"}

func (c *checker) check(root *node) {
	if root.name != (xml.Name{Space: nsApp, Local: "OfficeApp"}) {
		c.failAt(root, "the root must be OfficeApp in namespace %s", nsApp)
		return
	}
	if t := root.xsiType(); t != "MailApp" {
		c.failAt(root, `xsi:type is %q, want "MailApp"`, t)
	}
	c.checkBase(root)

	vo10 := root.child(nsVO10, "VersionOverrides")
	if vo10 == nil {
		c.failAt(root, "no VersionOverrides (VersionOverridesV1_0) element: the add-in would have no on-send handler")
		return
	}
	if t := vo10.xsiType(); t != "VersionOverridesV1_0" {
		c.failAt(vo10, `xsi:type is %q, want "VersionOverridesV1_0"`, t)
	}
	vo := vo10.child(nsVO11, "VersionOverrides")
	if vo == nil {
		c.failAt(vo10, "no nested VersionOverridesV1_1: LaunchEvent and Runtimes need it")
		return
	}
	if t := vo.xsiType(); t != "VersionOverridesV1_1" {
		c.failAt(vo, `xsi:type is %q, want "VersionOverridesV1_1"`, t)
	}
	c.checkRequirements(vo)
	c.collectResources(vo)
	c.checkResids(root)
	c.checkIDs(vo)
	c.checkRuntimes(vo)
	c.checkLaunchEvents(vo)
	c.checkTaskpaneButton(vo)
	c.checkDesktopFormFactor(vo)
	c.checkRules(root)
	c.checkWellKnown()
	c.checkWebApplicationInfo(vo)
}

// checkBase checks the base manifest: order, Id, Version, Permissions, names and URLs.
func (c *checker) checkBase(root *node) {
	last, lastName := -1, ""
	for _, n := range root.children {
		if n.name.Space != nsApp && !(n.name.Space == nsVO10 && n.name.Local == "VersionOverrides") {
			continue
		}
		i := slices.Index(baseOrder, n.name.Local)
		if i < 0 {
			continue
		}
		if i < last {
			c.failAt(n, "must come before <%s> (the schema fixes the order of OfficeApp's elements)", lastName)
		} else if i == last {
			c.failAt(n, "appears more than once")
		}
		last, lastName = i, n.name.Local
	}
	for _, name := range []string{"Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "Permissions"} {
		if root.child(nsApp, name) == nil {
			c.failAt(root, "lacks <%s>", name)
		}
	}
	if n := root.child(nsApp, "Id"); n != nil && !isGUID(n.text()) {
		c.failAt(n, "%q is not a GUID", n.text())
	}
	if n := root.child(nsApp, "Version"); n != nil && !versionRE.MatchString(n.text()) {
		c.failAt(n, "%q must have four numeric parts, such as 1.0.0.0", n.text())
	}
	if n := root.child(nsApp, "Permissions"); n != nil && n.text() != "ReadWriteItem" {
		c.failAt(n, "is %q, want ReadWriteItem (the handler sets headers on the draft; ReadWriteMailbox is more than it needs)", n.text())
	}
	if n := root.child(nsApp, "DisplayName"); n != nil {
		c.checkLength(n, n.attr("", "DefaultValue"), maxShortString)
	}
	if n := root.child(nsApp, "Description"); n != nil {
		c.checkLength(n, n.attr("", "DefaultValue"), maxLongString)
	}
	for _, name := range []string{"IconUrl", "HighResolutionIconUrl"} {
		if n := root.child(nsApp, name); n != nil {
			c.checkURL(n, n.attr("", "DefaultValue"))
		}
	}
	if n := root.child(nsApp, "SupportUrl"); n != nil {
		c.checkURLOrAPI(n, n.attr("", "DefaultValue"))
	}
	if ad := root.child(nsApp, "AppDomains"); ad != nil {
		for _, n := range ad.childrenNamed(nsApp, "AppDomain") {
			c.checkURLOrAPI(n, n.text())
		}
	}
	if fs := root.child(nsApp, "FormSettings"); fs != nil {
		fs.walk(func(n *node) {
			if n.name == (xml.Name{Space: nsApp, Local: "SourceLocation"}) {
				c.checkURL(n, n.attr("", "DefaultValue"))
			}
		})
	}
}

// checkRequirements: the V1_1 part must require exactly Mailbox 1.12.
func (c *checker) checkRequirements(vo *node) {
	req := vo.child(nsVO11, "Requirements")
	if req == nil {
		c.failAt(vo, "lacks <Requirements> with <bt:Sets DefaultMinVersion=%q>", MinMailbox)
		return
	}
	sets := req.child(nsBT, "Sets")
	if sets == nil {
		c.failAt(req, "lacks <bt:Sets DefaultMinVersion=%q>", MinMailbox)
		return
	}
	if v := sets.attr("", "DefaultMinVersion"); v != MinMailbox {
		c.failAt(sets, "DefaultMinVersion is %q, want exactly %q (OnMessageSend needs 1.12; a higher version keeps the add-in, and the check, from loading on older clients)", v, MinMailbox)
	}
	mailbox := false
	for _, s := range sets.childrenNamed(nsBT, "Set") {
		if s.attr("", "Name") != "Mailbox" {
			continue
		}
		mailbox = true
		if v, ok := s.lookup("", "MinVersion"); ok && v != MinMailbox {
			c.failAt(s, "Mailbox MinVersion is %q, want %q", v, MinMailbox)
		}
	}
	if !mailbox {
		c.failAt(sets, `lacks <bt:Set Name="Mailbox"/>`)
	}
}

// collectResources reads bt:Images, bt:Urls, bt:ShortStrings and bt:LongStrings, checking their
// ids, lengths and URLs.
func (c *checker) collectResources(vo *node) {
	c.resources = map[string]resource{}
	res := vo.child(nsVO11, "Resources")
	if res == nil {
		c.failAt(vo, "lacks <Resources>")
		return
	}
	for _, g := range []struct {
		group, item string
		kind        resourceKind
	}{
		{"Images", "Image", kindImage},
		{"Urls", "Url", kindURL},
		{"ShortStrings", "String", kindShort},
		{"LongStrings", "String", kindLong},
	} {
		for _, grp := range res.childrenNamed(nsBT, g.group) {
			for _, n := range grp.childrenNamed(nsBT, g.item) {
				id := n.attr("", "id")
				switch {
				case id == "":
					c.failAt(n, "has no id")
					continue
				case utf8.RuneCountInString(id) > maxResID:
					c.failAt(n, "id %q is longer than %d characters", id, maxResID)
				}
				if prev, dup := c.resources[id]; dup {
					c.failAt(n, "id %q is already used by the %s on line %d (ids must be unique)", id, prev.kind, prev.node.line)
					continue
				}
				v, ok := n.lookup("", "DefaultValue")
				c.resources[id] = resource{kind: g.kind, value: v, node: n}
				var values []*node
				if ok {
					values = append(values, n)
				} else {
					c.failAt(n, "%q has no DefaultValue", id)
				}
				for _, o := range n.childrenNamed(nsBT, "Override") {
					values = append(values, o)
				}
				for _, vn := range values {
					val := v
					if vn != n {
						val = vn.attr("", "Value")
					}
					switch g.kind {
					case kindImage, kindURL:
						c.checkURL(vn, val)
					case kindShort:
						c.checkLength(vn, val, maxShortString)
					case kindLong:
						c.checkLength(vn, val, maxLongString)
					}
				}
			}
		}
	}
}

// residKind is the kind of resource an element's resid must name.
func residKind(n *node) resourceKind {
	switch n.name.Local {
	case "Image":
		return kindImage
	case "Label", "Title":
		return kindShort
	case "Description":
		return kindLong
	case "SourceLocation", "FunctionFile", "Runtime", "Override":
		return kindURL
	}
	return kindAnyRes
}

// checkResids: every resid in the manifest names a defined resource of the right kind.
func (c *checker) checkResids(root *node) {
	root.walk(func(n *node) {
		id, ok := n.lookup("", "resid")
		if !ok {
			return
		}
		want := residKind(n)
		r, found := c.resources[id]
		switch {
		case !found:
			c.failAt(n, "resid %q is not defined in <Resources>", id)
		case want != kindAnyRes && r.kind != want:
			c.failAt(n, "resid %q names a %s (line %d), want a %s", id, r.kind, r.node.line, want)
		}
	})
}

// checkIDs: group, control and menu item ids are unique (OfficeTab ids name built-in tabs and
// may repeat across extension points).
func (c *checker) checkIDs(vo *node) {
	seen := map[string]*node{}
	hosts := vo.child(nsVO11, "Hosts")
	if hosts == nil {
		return
	}
	hosts.walk(func(n *node) {
		id, ok := n.lookup("", "id")
		if !ok || n.name.Local == "OfficeTab" {
			return
		}
		if id == "" {
			c.failAt(n, "has an empty id")
			return
		}
		if prev, dup := seen[id]; dup {
			c.failAt(n, "id %q is already used on line %d (ids must be unique)", id, prev.line)
			return
		}
		seen[id] = n
	})
}

// mailHost is the V1_1 MailHost, or nil (reported).
func (c *checker) mailHost(vo *node) *node {
	hosts := vo.child(nsVO11, "Hosts")
	if hosts == nil {
		return nil
	}
	for _, h := range hosts.childrenNamed(nsVO11, "Host") {
		if h.xsiType() == "MailHost" {
			return h
		}
	}
	return nil
}

// checkRuntimes: a Runtime with a javascript Override (classic Outlook).
func (c *checker) checkRuntimes(vo *node) {
	host := c.mailHost(vo)
	if host == nil {
		c.failAt(vo, `lacks <Hosts><Host xsi:type="MailHost">`)
		return
	}
	rts := host.child(nsVO11, "Runtimes")
	if rts == nil {
		c.failAt(host, "lacks <Runtimes>: event-based activation needs a Runtime")
		return
	}
	for _, rt := range rts.childrenNamed(nsVO11, "Runtime") {
		id := rt.attr("", "resid")
		if id == "" {
			c.failAt(rt, "has no resid")
			continue
		}
		c.runtimes = append(c.runtimes, id)
		for _, o := range rt.childrenNamed(nsVO11, "Override") {
			if o.attr("", "type") != "javascript" {
				c.failAt(o, `type is %q, want "javascript"`, o.attr("", "type"))
				continue
			}
			if r, ok := c.resources[o.attr("", "resid")]; ok && r.kind == kindURL {
				c.jsURLs = append(c.jsURLs, r.value)
			}
		}
	}
	if len(c.runtimes) == 0 {
		c.failAt(rts, "has no <Runtime>")
	}
	if len(c.jsURLs) == 0 {
		c.failAt(rts, `has no <Override type="javascript"> with a defined URL: classic Outlook on Windows would not run the handler`)
	}
}

// checkLaunchEvents: the known event types, each with an associated handler; exactly one
// OnMessageSend with a valid SendMode; SourceLocation is the Runtime.
func (c *checker) checkLaunchEvents(vo *node) {
	host := c.mailHost(vo)
	if host == nil {
		return
	}
	var points []*node
	host.walk(func(n *node) {
		if n.name == (xml.Name{Space: nsVO11, Local: "ExtensionPoint"}) && n.xsiType() == "LaunchEvent" {
			points = append(points, n)
		}
	})
	if len(points) == 0 {
		c.failAt(host, `has no <ExtensionPoint xsi:type="LaunchEvent">: nothing runs on send`)
		return
	}
	sends := map[string]int{}
	for _, p := range points {
		if p.parent == nil || p.parent.name.Local != "DesktopFormFactor" {
			c.failAt(p, "the LaunchEvent extension point belongs in <DesktopFormFactor>")
		}
		src := p.child(nsVO11, "SourceLocation")
		if src == nil {
			c.failAt(p, "lacks <SourceLocation>")
		} else if id := src.attr("", "resid"); !slices.Contains(c.runtimes, id) {
			c.failAt(src, "resid %q is not the Runtime's resid %q: the event would run in no runtime", id, strings.Join(c.runtimes, `", "`))
		}
		events := p.child(nsVO11, "LaunchEvents")
		if events == nil {
			c.failAt(p, "lacks <LaunchEvents>")
			continue
		}
		for _, ev := range events.childrenNamed(nsVO11, "LaunchEvent") {
			typ := ev.attr("", "Type")
			if _, known := LaunchEventTypes[typ]; !known {
				c.failAt(ev, "unknown Type %q (the add-in handles %s)", typ, strings.Join(knownTypes(), ", "))
			}
			fn := ev.attr("", "FunctionName")
			if !slices.Contains(c.want.Associated, fn) {
				c.failAt(ev, "FunctionName %q is not associated in launchevent.js (Office.actions.associate has %s): the event would fail, and with SoftBlock every send would be blocked",
					fn, quoteList(c.want.Associated))
			}
			if want, known := LaunchEventTypes[typ]; known && fn != want {
				c.failAt(ev, "%s runs %q, want %q", typ, fn, want)
			}
			mode, hasMode := ev.lookup("", "SendMode")
			if slices.Contains(sendEvents, typ) {
				sends[typ]++
				switch {
				case !hasMode:
					c.failAt(ev, "%s has no SendMode (give SoftBlock, PromptUser or Block)", typ)
				case mode != "SoftBlock" && mode != "PromptUser" && mode != "Block":
					c.failAt(ev, "SendMode %q is not SoftBlock, PromptUser or Block", mode)
				}
			} else if hasMode {
				c.failAt(ev, "SendMode is only valid on %s, not on %s", strings.Join(sendEvents, " and "), typ)
			}
		}
	}
	for _, typ := range sendEvents {
		if sends[typ] != 1 {
			c.failAt(host, "has %d %s LaunchEvents, want exactly 1", sends[typ], typ)
		}
	}
}

// checkTaskpaneButton: the compose task pane button has the id launchevent.js passes as commandId.
func (c *checker) checkTaskpaneButton(vo *node) {
	host := c.mailHost(vo)
	if host == nil {
		return
	}
	var found, foundAppointment bool
	var others []string
	host.walk(func(n *node) {
		if n.name != (xml.Name{Space: nsVO11, Local: "Control"}) {
			return
		}
		a := n.child(nsVO11, "Action")
		if a == nil || a.xsiType() != "ShowTaskpane" {
			return
		}
		if n.inside(nsVO11, "ExtensionPoint", "AppointmentOrganizerCommandSurface") {
			if n.attr("", "id") == addin.AppointmentCommandID {
				foundAppointment = true
			}
			return
		}
		if !n.inside(nsVO11, "ExtensionPoint", "MessageComposeCommandSurface") {
			return
		}
		if id := n.attr("", "id"); id == addin.TaskpaneCommandID {
			found = true
		} else {
			others = append(others, id)
		}
	})
	if !found {
		c.failAt(host, "has no compose task pane button with id %q (the commandId of the on-send dialog's action; found %s)",
			addin.TaskpaneCommandID, quoteList(others))
	}
	if !foundAppointment {
		c.failAt(host, "has no meeting organiser task pane button with id %q (the commandId of OnAppointmentSend's dialog)", addin.AppointmentCommandID)
	}
}

// desktopOrder is the sequence of DesktopFormFactor's children in the Mail 1.1 schema (the
// published element reference: SupportsSharedFolders first, then FunctionFile, then the
// extension points).
var desktopOrder = []string{"SupportsSharedFolders", "FunctionFile", "ExtensionPoint"}

// checkDesktopFormFactor: SupportsSharedFolders is true (mail from shared and delegated
// mailboxes is checked too) and the children come in the schema's order.
func (c *checker) checkDesktopFormFactor(vo *node) {
	host := c.mailHost(vo)
	if host == nil {
		return
	}
	dff := host.child(nsVO11, "DesktopFormFactor")
	if dff == nil {
		c.failAt(host, "lacks <DesktopFormFactor>")
		return
	}
	last, lastName := -1, ""
	for _, n := range dff.children {
		i := slices.Index(desktopOrder, n.name.Local)
		if n.name.Space != nsVO11 || i < 0 {
			c.failAt(n, "is not allowed in <DesktopFormFactor> (the schema has %s)", strings.Join(desktopOrder, ", "))
			continue
		}
		if i < last {
			c.failAt(n, "must come before <%s> (the schema fixes the order of DesktopFormFactor's elements)", lastName)
		} else if i == last && n.name.Local != "ExtensionPoint" {
			c.failAt(n, "appears more than once")
		}
		last, lastName = i, n.name.Local
	}
	s := dff.child(nsVO11, "SupportsSharedFolders")
	switch {
	case s == nil:
		c.failAt(dff, "lacks <SupportsSharedFolders>true</SupportsSharedFolders>: mail written in shared and delegated mailboxes would go unchecked")
	case s.text() != "true":
		c.failAt(s, "is %q, want true (mail written in shared and delegated mailboxes would go unchecked)", s.text())
	}
}

// checkRules: the base manifest's activation rules cover the compose forms the events need
// (ItemIs Message Edit; ItemIs Appointment Edit for the meeting organiser's task pane). Rules
// are ItemIs or a RuleCollection of them (the schema's Rule types that apply here).
func (c *checker) checkRules(root *node) {
	rule := root.child(nsApp, "Rule")
	if rule == nil {
		c.failAt(root, "lacks <Rule>: the task pane would activate nowhere")
		return
	}
	covered := map[string]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		switch n.xsiType() {
		case "RuleCollection":
			if m := n.attr("", "Mode"); m != "Or" && m != "And" {
				c.failAt(n, `Mode is %q, want "Or" or "And"`, m)
			}
			for _, k := range n.childrenNamed(nsApp, "Rule") {
				walk(k)
			}
		case "ItemIs":
			it, form := n.attr("", "ItemType"), n.attr("", "FormType")
			if it != "Message" && it != "Appointment" {
				c.failAt(n, `ItemType is %q, want "Message" or "Appointment"`, it)
			}
			if form == "Edit" || form == "ReadOrEdit" {
				covered[it] = true
			}
		default:
			c.failAt(n, "rule type %q is not one the add-in uses (ItemIs, RuleCollection)", n.xsiType())
		}
	}
	walk(rule)
	for _, it := range []string{"Message", "Appointment"} {
		if !covered[it] {
			c.failAt(rule, `no <Rule xsi:type="ItemIs" ItemType=%q FormType="Edit"/>: the task pane would not open while composing that item`, it)
		}
	}
}

// checkWellKnown: the javascript runtime's URL is in the well-known file.
func (c *checker) checkWellKnown() {
	if len(c.jsURLs) == 0 {
		return
	}
	var wk wellKnown
	if len(bytes.TrimSpace(c.want.WellKnown)) == 0 {
		c.fail("no well-known file (%s) to check the JavaScript runtime %s against", WellKnownPath, c.jsURLs[0])
		return
	}
	if err := json.Unmarshal(c.want.WellKnown, &wk); err != nil {
		c.fail("the well-known file is not valid JSON: %v", err)
		return
	}
	for _, u := range c.jsURLs {
		if !slices.Contains(wk.Allowed, u) {
			c.fail("the JavaScript runtime %s is not in the well-known file's \"allowed\" list %s: classic Outlook refuses it", u, quoteList(wk.Allowed))
		}
	}
}

// checkWebApplicationInfo: when present, the client id is a GUID and the resource the API's
// Application ID URI on the origin.
func (c *checker) checkWebApplicationInfo(vo *node) {
	w := vo.child(nsVO11, "WebApplicationInfo")
	if w == nil {
		return
	}
	idNode := w.child(nsVO11, "Id")
	if idNode == nil || !isGUID(idNode.text()) {
		c.failAt(w, "<Id> must be the app registration's client id (a GUID)")
		return
	}
	if c.origin != "" {
		want := "api://" + strings.TrimPrefix(c.origin, "https://") + "/" + idNode.text()
		if r := w.child(nsVO11, "Resource"); r == nil || !strings.EqualFold(r.text(), want) {
			c.failAt(w, "<Resource> must be %s", want)
		}
	}
	if s := w.child(nsVO11, "Scopes"); s == nil || len(s.childrenNamed(nsVO11, "Scope")) == 0 {
		c.failAt(w, "lacks <Scopes>")
	}
}

func (c *checker) checkURL(n *node, raw string) {
	if c.origin == "" {
		return
	}
	if raw == "" {
		c.failAt(n, "has no URL")
		return
	}
	if err := onOrigin(raw, c.origin); err != nil {
		c.failAt(n, "%v", err)
	}
}

// checkURLOrAPI is checkURL that also accepts the API's origin (AppDomains, SupportUrl).
func (c *checker) checkURLOrAPI(n *node, raw string) {
	if c.api != "" && raw != "" && onOrigin(raw, c.api) == nil {
		return
	}
	c.checkURL(n, raw)
}

func (c *checker) checkLength(n *node, s string, limit int) {
	if l := utf8.RuneCountInString(s); l > limit {
		if r := []rune(s); len(r) > 40 {
			s = string(r[:40]) + "…"
		}
		c.failAt(n, "%q is %d characters, more than %d", s, l, limit)
	}
}

func knownTypes() []string {
	var ts []string
	for t := range LaunchEventTypes {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

func quoteList(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// node is an element of the parsed manifest, names resolved to namespaces.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	parent   *node
	chars    strings.Builder
	line     int
}

func parseTree(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root, cur *node
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr, parent: cur, line: line}
			if cur == nil {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				cur.children = append(cur.children, n)
			}
			cur = n
		case xml.EndElement:
			cur = cur.parent
		case xml.CharData:
			if cur != nil {
				cur.chars.Write(t)
			}
		case xml.Directive:
			return nil, errors.New("a DOCTYPE or other directive is not allowed")
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func (n *node) text() string { return strings.TrimSpace(n.chars.String()) }

func (n *node) lookup(space, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) attr(space, local string) string {
	v, _ := n.lookup(space, local)
	return v
}

// xsiType is the local part of the xsi:type attribute.
func (n *node) xsiType() string {
	t := n.attr(nsXSI, "type")
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	return t
}

func (n *node) child(space, local string) *node {
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			return c
		}
	}
	return nil
}

func (n *node) childrenNamed(space, local string) []*node {
	var cs []*node
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			cs = append(cs, c)
		}
	}
	return cs
}

// walk calls f for n and every element below it, in document order.
func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

// inside reports whether an ancestor of n is the element space:local with the given xsi:type.
func (n *node) inside(space, local, xsiType string) bool {
	for p := n.parent; p != nil; p = p.parent {
		if p.name.Space == space && p.name.Local == local && p.xsiType() == xsiType {
			return true
		}
	}
	return false
}
