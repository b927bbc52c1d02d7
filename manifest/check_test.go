package manifest

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/addin"
)

// edit is one textual change to a rendered manifest.
type edit struct{ old, new string }

func mutate(t *testing.T, b []byte, edits ...edit) []byte {
	t.Helper()
	s := string(b)
	for _, e := range edits {
		if !strings.Contains(s, e.old) {
			t.Fatalf("the manifest has no %q to change", e.old)
		}
		s = strings.Replace(s, e.old, e.new, 1)
	}
	return []byte(s)
}

// Check reports each kind of broken manifest, naming the problem.
func TestManifestCheckFindsProblems(t *testing.T) {
	const origin = "https://sendevagt.kommune.dk"
	good := render(t, Options{PublicURL: origin, ClientID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301"})
	base := expect(t, origin)
	otherWK, _ := WellKnown("https://other.kommune.dk")
	onSendLine := `<LaunchEvent Type="OnMessageSend" FunctionName="onMessageSendHandler" SendMode="SoftBlock"/>`

	tests := []struct {
		name  string
		edits []edit
		want  func(Expect) Expect // nil: base
		errs  []string            // substrings, each in some error
	}{
		{"no appointment rule", []edit{{`<Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Edit"/>`, ``}}, nil,
			[]string{`no <Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Edit"/>`}},
		{"read-only message rule", []edit{{`ItemType="Message" FormType="Edit"`, `ItemType="Message" FormType="Read"`}}, nil,
			[]string{`ItemType="Message" FormType="Edit"/>: the task pane would not open`}},
		{"no OnAppointmentSend", []edit{{`<LaunchEvent Type="OnAppointmentSend" FunctionName="onAppointmentSendHandler" SendMode="SoftBlock"/>`, ``}}, nil,
			[]string{"has 0 OnAppointmentSend LaunchEvents, want exactly 1"}},
		{"OnAppointmentSend without SendMode", []edit{{`FunctionName="onAppointmentSendHandler" SendMode="SoftBlock"`, `FunctionName="onAppointmentSendHandler"`}}, nil,
			[]string{"OnAppointmentSend has no SendMode"}},
		{"OnAppointmentSend runs the message handler", []edit{{`Type="OnAppointmentSend" FunctionName="onAppointmentSendHandler"`, `Type="OnAppointmentSend" FunctionName="onMessageSendHandler"`}}, nil,
			[]string{`OnAppointmentSend runs "onMessageSendHandler", want "onAppointmentSendHandler"`}},
		{"no meeting task pane button", []edit{{`id="` + addin.AppointmentCommandID + `"`, `id="otherButton"`}}, nil,
			[]string{"has no meeting organiser task pane button"}},
		{"no SupportsSharedFolders", []edit{{`<SupportsSharedFolders>true</SupportsSharedFolders>`, ``}}, nil,
			[]string{"lacks <SupportsSharedFolders>true</SupportsSharedFolders>"}},
		{"SupportsSharedFolders false", []edit{{`<SupportsSharedFolders>true<`, `<SupportsSharedFolders>false<`}}, nil,
			[]string{`is "false", want true`}},
		{"SupportsSharedFolders after FunctionFile", []edit{{`<SupportsSharedFolders>true</SupportsSharedFolders>`, ``}, {`<FunctionFile resid="Commands.Url"/>`, `<FunctionFile resid="Commands.Url"/><SupportsSharedFolders>true</SupportsSharedFolders>`}}, nil,
			[]string{"<SupportsSharedFolders>: must come before <FunctionFile>"}},
		{"wrong FunctionName", []edit{{`FunctionName="onMessageSendHandler"`, `FunctionName="onSendHandler"`}}, nil,
			[]string{`FunctionName "onSendHandler" is not associated`}},
		{"handler not associated in the JS", nil, func(e Expect) Expect { e.Associated = []string{"onMessageSendHandler"}; return e },
			[]string{`"onAttachmentsChangedHandler" is not associated`, `"onRecipientsChangedHandler" is not associated`}},
		{"dangling resid", []edit{{`<FunctionFile resid="Commands.Url"/>`, `<FunctionFile resid="Command.Url"/>`}}, nil,
			[]string{`resid "Command.Url" is not defined`}},
		{"dangling icon resid", []edit{{`resid="Icon.80x80"`, `resid="Icon.96x96"`}}, nil,
			[]string{`resid "Icon.96x96" is not defined`}},
		{"resid of the wrong kind", []edit{{`<Label resid="Group.Label"/>`, `<Label resid="Taskpane.Url"/>`}}, nil,
			[]string{`resid "Taskpane.Url" names a bt:Url`}},
		{"http URL", []edit{{`DefaultValue="https://sendevagt.kommune.dk/addin/assets/icon-16.png"`, `DefaultValue="http://sendevagt.kommune.dk/addin/assets/icon-16.png"`}}, nil,
			[]string{"not an absolute https URL"}},
		{"relative URL", []edit{{`id="Commands.Url" DefaultValue="https://sendevagt.kommune.dk/addin/commands.html"`, `id="Commands.Url" DefaultValue="/addin/commands.html"`}}, nil,
			[]string{"not an absolute https URL"}},
		{"URL on another origin", []edit{{`id="Taskpane.Url" DefaultValue="https://sendevagt.kommune.dk`, `id="Taskpane.Url" DefaultValue="https://evil.example.com`}}, nil,
			[]string{`"https://evil.example.com/addin/taskpane.html" is not on https://sendevagt.kommune.dk`}},
		{"URL on another port", []edit{{`<SupportUrl DefaultValue="https://sendevagt.kommune.dk/"/>`, `<SupportUrl DefaultValue="https://sendevagt.kommune.dk:8443/"/>`}}, nil,
			[]string{"is not on https://sendevagt.kommune.dk"}},
		{"JS runtime on another origin", []edit{{`id="JSRuntime.Url" DefaultValue="https://sendevagt.kommune.dk`, `id="JSRuntime.Url" DefaultValue="https://cdn.example.com`}}, nil,
			[]string{"is not on https://sendevagt.kommune.dk", `https://cdn.example.com/addin/launchevent.js is not in the well-known file's "allowed" list`}},
		{"JS URL missing from the well-known file", nil, func(e Expect) Expect { e.WellKnown = otherWK; return e },
			[]string{`https://sendevagt.kommune.dk/addin/launchevent.js is not in the well-known file's "allowed" list "https://other.kommune.dk/addin/launchevent.js"`}},
		{"empty well-known list", nil, func(e Expect) Expect { e.WellKnown = []byte(`{"allowed":[]}`); return e },
			[]string{`not in the well-known file's "allowed" list none`}},
		{"no well-known file", nil, func(e Expect) Expect { e.WellKnown = nil; return e },
			[]string{"no well-known file"}},
		{"broken well-known file", nil, func(e Expect) Expect { e.WellKnown = []byte(`{"allowed":`); return e },
			[]string{"well-known file is not valid JSON"}},
		{"DefaultMinVersion 1.11", []edit{{`DefaultMinVersion="1.12"`, `DefaultMinVersion="1.11"`}}, nil,
			[]string{`DefaultMinVersion is "1.11", want exactly "1.12"`}},
		{"DefaultMinVersion 1.13", []edit{{`DefaultMinVersion="1.12"`, `DefaultMinVersion="1.13"`}}, nil,
			[]string{`DefaultMinVersion is "1.13"`}},
		{"no DefaultMinVersion", []edit{{` DefaultMinVersion="1.12"`, ``}}, nil,
			[]string{`DefaultMinVersion is ""`}},
		{"Mailbox set lowered", []edit{{`<bt:Set Name="Mailbox"/>`, `<bt:Set Name="Mailbox" MinVersion="1.11"/>`}}, nil,
			[]string{`Mailbox MinVersion is "1.11"`}},
		{"no Mailbox set", []edit{{`<bt:Set Name="Mailbox"/>`, `<bt:Set Name="IdentityAPI"/>`}}, nil,
			[]string{`lacks <bt:Set Name="Mailbox"/>`}},
		{"SourceLocation is not the runtime", []edit{{`<SourceLocation resid="WebViewRuntime.Url"/>`, `<SourceLocation resid="Commands.Url"/>`}}, nil,
			[]string{`resid "Commands.Url" is not the Runtime's resid "WebViewRuntime.Url"`}},
		{"two OnMessageSend", []edit{{onSendLine, onSendLine + onSendLine}}, nil,
			[]string{"has 2 OnMessageSend LaunchEvents, want exactly 1"}},
		{"no OnMessageSend", []edit{{onSendLine, ""}}, nil,
			[]string{"has 0 OnMessageSend LaunchEvents"}},
		{"bad SendMode", []edit{{`SendMode="SoftBlock"`, `SendMode="softBlock"`}}, nil,
			[]string{`SendMode "softBlock" is not SoftBlock, PromptUser or Block`}},
		{"no SendMode", []edit{{` SendMode="SoftBlock"`, ``}}, nil,
			[]string{"OnMessageSend has no SendMode"}},
		{"SendMode on another event", []edit{{`FunctionName="onRecipientsChangedHandler"`, `FunctionName="onRecipientsChangedHandler" SendMode="Block"`}}, nil,
			[]string{"SendMode is only valid on OnMessageSend and OnAppointmentSend, not on OnMessageRecipientsChanged"}},
		{"unknown event type", []edit{{`Type="OnMessageRecipientsChanged"`, `Type="OnAppointmentAttendeesChanged"`}}, nil,
			[]string{`unknown Type "OnAppointmentAttendeesChanged"`}},
		{"no javascript override", []edit{{`<Override type="javascript" resid="JSRuntime.Url"/>`, ``}}, nil,
			[]string{`has no <Override type="javascript">`}},
		{"override of another type", []edit{{`<Override type="javascript"`, `<Override type="html"`}}, nil,
			[]string{`type is "html", want "javascript"`}},
		{"task pane button renamed", []edit{{`id="` + addin.TaskpaneCommandID + `"`, `id="msgComposeOpenPaneButton"`}}, nil,
			[]string{`no compose task pane button with id "sendevagtTaskPaneButton"`, `"msgComposeOpenPaneButton"`}},
		{"Permissions ReadWriteMailbox", []edit{{`<Permissions>ReadWriteItem</Permissions>`, `<Permissions>ReadWriteMailbox</Permissions>`}}, nil,
			[]string{`is "ReadWriteMailbox", want ReadWriteItem`}},
		{"not a MailApp", []edit{{`xsi:type="MailApp"`, `xsi:type="TaskPaneApp"`}}, nil,
			[]string{`xsi:type is "TaskPaneApp", want "MailApp"`}},
		{"wrong root namespace", []edit{{`xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"`, `xmlns="http://example.com/ns"`}}, nil,
			[]string{"the root must be OfficeApp"}},
		{"Id not a GUID", []edit{{"<Id>" + DefaultID(origin) + "</Id>", "<Id>sendevagt</Id>"}}, nil,
			[]string{`"sendevagt" is not a GUID`}},
		{"Version with three parts", []edit{{"<Version>1.0.0.0</Version>", "<Version>1.0.0</Version>"}}, nil,
			[]string{`"1.0.0" must have four numeric parts`}},
		{"duplicate resource id", []edit{{`<bt:Image id="Icon.64x64"`, `<bt:Image id="Icon.32x32"`}}, nil,
			[]string{`id "Icon.32x32" is already used`}},
		{"duplicate control id", []edit{{`<Group id="sendevagtComposeGroup">`, `<Group id="` + addin.TaskpaneCommandID + `">`}}, nil,
			[]string{`id "sendevagtTaskPaneButton" is already used`}},
		{"resource id too long", []edit{{`<bt:String id="TaskpaneButton.Tooltip"`, `<bt:String id="TaskpaneButton.Tooltip.Sendevagt.Long"`}, {`resid="TaskpaneButton.Tooltip"`, `resid="TaskpaneButton.Tooltip.Sendevagt.Long"`}}, nil,
			[]string{"is longer than 32 characters"}},
		{"short string too long", []edit{{`<bt:String id="Group.Label" DefaultValue="Sendevagt"/>`, `<bt:String id="Group.Label" DefaultValue="` + strings.Repeat("æ", 126) + `"/>`}}, nil,
			[]string{"is 126 characters, more than 125"}},
		{"long string too long", []edit{{`DefaultValue="Vis Sendevagts`, `DefaultValue="` + strings.Repeat("ø", 250) + ``}}, nil,
			[]string{"more than 250"}},
		{"base element order", []edit{{"<Version>1.0.0.0</Version>\n", ""}, {"<DefaultLocale>", "<Version>1.0.0.0</Version><DefaultLocale>"}}, nil,
			[]string{"<Version>: must come before <ProviderName>"}},
		{"no VersionOverrides 1.1", []edit{{`xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1"`, `xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.0"`}}, nil,
			[]string{"no nested VersionOverridesV1_1"}},
		{"SSO resource on another host", []edit{{"<Resource>api://sendevagt.kommune.dk/", "<Resource>api://other.kommune.dk/"}}, nil,
			[]string{"<Resource> must be api://sendevagt.kommune.dk/3f2504e0-4f89-11d3-9a0c-0305e82c3301"}},
		{"not XML", []edit{{"</OfficeApp>", "</OfficeAp>"}}, nil,
			[]string{"not well-formed XML"}},
		{"no origin to check against", nil, func(e Expect) Expect { e.Origin = ""; return e },
			[]string{"no origin"}},
		{"several problems at once", []edit{
			{`FunctionName="onMessageSendHandler"`, `FunctionName="onSend"`},
			{`DefaultMinVersion="1.12"`, `DefaultMinVersion="1.11"`},
			{`SendMode="SoftBlock"`, `SendMode="Hard"`},
			{`<FunctionFile resid="Commands.Url"/>`, `<FunctionFile resid="Nope"/>`},
		}, nil, []string{`"onSend" is not associated`, `DefaultMinVersion is "1.11"`, `SendMode "Hard"`, `resid "Nope" is not defined`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mutate(t, good, tt.edits...)
			want := base
			if tt.want != nil {
				want = tt.want(base)
			}
			errs := Check(b, want)
			if len(errs) == 0 {
				t.Fatal("Check found no problem")
			}
			all := errors.Join(errs...).Error()
			t.Log(all)
			for _, s := range tt.errs {
				if !strings.Contains(all, s) {
					t.Errorf("no error mentions %q; got:\n%s", s, all)
				}
			}
		})
	}
}

// Line numbers point at the element.
func TestManifestCheckNamesLines(t *testing.T) {
	const origin = "https://sendevagt.kommune.dk"
	b := mutate(t, render(t, Options{PublicURL: origin}), edit{`SendMode="SoftBlock"`, `SendMode="Nope"`})
	line := 1 + strings.Count(string(b[:strings.Index(string(b), `SendMode="Nope"`)]), "\n")
	errs := Check(b, expect(t, origin))
	if len(errs) != 1 {
		t.Fatalf("want one error, got %v", errs)
	}
	if want := "line " + strconv.Itoa(line) + ": <LaunchEvent>"; !strings.HasPrefix(errs[0].Error(), want) {
		t.Errorf("error %q does not start with %q", errs[0], want)
	}
}
