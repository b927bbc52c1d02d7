package fakeentra

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const webRedirect = "https://sendevagt.example/admin/callback"

// authorizeURL builds an authorize request for the web app with an S256 challenge of verifier.
func authorizeURL(s *Server, tenant, verifier string, mod func(url.Values)) string {
	sum := sha256.Sum256([]byte(verifier))
	v := url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {webRedirect},
		"scope": {"openid profile email"}, "state": {"state-123"}, "nonce": {"nonce-456"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if mod != nil {
		mod(v)
	}
	return s.AuthorizeEndpoint(tenant) + "?" + v.Encode()
}

// follow-less GET; returns the status and the parsed Location.
func getNoFollow(t *testing.T, s *Server, u string) (int, *url.URL) {
	t.Helper()
	c := s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loc, _ := resp.Location()
	return resp.StatusCode, loc
}

func redeem(t *testing.T, s *Server, tenant string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := s.Client().PostForm(s.TokenEndpoint(tenant), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func codeForm(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {secret},
		"code": {code}, "redirect_uri": {webRedirect}, "code_verifier": {verifier}}
}

func TestAuthorizationCodeFlow(t *testing.T) {
	s := start(t, App{ClientID: clientID, Secret: secret})
	const verifier = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

	// No user signed in: access_denied back to the app, with the state.
	status, loc := getNoFollow(t, s, authorizeURL(s, tenantA, verifier, nil))
	if status != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "state-123" {
		t.Fatalf("authorize without a user: %d %v", status, loc)
	}

	s.SetSignInUser(SignInUser{ObjectID: userOID, Name: "Test Person", UPN: userUPN, Roles: []string{"Sendevagt.Admin"}})
	status, loc = getNoFollow(t, s, authorizeURL(s, tenantA, verifier, nil))
	code := loc.Query().Get("code")
	if status != http.StatusFound || code == "" || loc.Query().Get("state") != "state-123" ||
		!strings.HasPrefix(loc.String(), webRedirect+"?") {
		t.Fatalf("authorize: %d %v", status, loc)
	}
	// Wrong verifier: refused, and the code is spent.
	if st, body := redeem(t, s, tenantA, codeForm(code, verifier+"x")); st != 400 || body["error"] != "invalid_grant" ||
		!strings.Contains(body["error_description"].(string), "AADSTS501481") {
		t.Errorf("wrong verifier: %d %v", st, body)
	}
	if st, body := redeem(t, s, tenantA, codeForm(code, verifier)); st != 400 ||
		!strings.Contains(body["error_description"].(string), "AADSTS54005") {
		t.Errorf("spent code: %d %v", st, body)
	}

	// A good redemption, once.
	_, loc = getNoFollow(t, s, authorizeURL(s, tenantA, verifier, nil))
	code = loc.Query().Get("code")
	st, body := redeem(t, s, tenantA, codeForm(code, verifier))
	if st != 200 {
		t.Fatalf("redeem: %d %v", st, body)
	}
	idt, _ := body["id_token"].(string)
	claims, err := s.parseOwn(idt)
	if err != nil {
		t.Fatalf("id_token does not verify: %v", err)
	}
	m := decodeSegment(t, strings.Split(idt, ".")[1])
	want := map[string]any{"iss": s.IssuerV2(tenantA), "aud": clientID, "tid": tenantA, "oid": userOID,
		"name": "Test Person", "preferred_username": userUPN, "nonce": "nonce-456"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("id_token %s = %v, want %v", k, m[k], v)
		}
	}
	if roles, _ := m["roles"].([]any); len(roles) != 1 || roles[0] != "Sendevagt.Admin" {
		t.Errorf("id_token roles = %v", m["roles"])
	}
	if m["iat"] == nil || m["exp"] == nil || claims.ExpiresAt == nil {
		t.Errorf("id_token lacks iat/exp: %v", m)
	}
	if at, _ := body["access_token"].(string); at == "" {
		t.Error("no access_token")
	}
	if st, _ := redeem(t, s, tenantA, codeForm(code, verifier)); st != 400 {
		t.Errorf("second redemption: %d, want 400", st)
	}

	// Bound to redirect_uri, client secret and tenant.
	tests := []struct {
		name   string
		tenant string
		mod    func(url.Values)
		aadsts string
	}{
		{"other redirect_uri", tenantA, func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, "AADSTS500117"},
		{"no verifier", tenantA, func(v url.Values) { v.Del("code_verifier") }, "AADSTS50148"},
		{"wrong secret", tenantA, func(v url.Values) { v.Set("client_secret", "nope") }, "AADSTS7000215"},
		{"other tenant", tenantB, nil, "AADSTS70000"},
		{"unknown code", tenantA, func(v url.Values) { v.Set("code", "made-up") }, "AADSTS9002313"},
	}
	for _, tc := range tests {
		_, loc := getNoFollow(t, s, authorizeURL(s, tenantA, verifier, nil))
		form := codeForm(loc.Query().Get("code"), verifier)
		if tc.mod != nil {
			tc.mod(form)
		}
		st, body := redeem(t, s, tc.tenant, form)
		if desc, _ := body["error_description"].(string); st < 400 || !strings.Contains(desc, tc.aadsts) {
			t.Errorf("%s: %d %v, want %s", tc.name, st, body, tc.aadsts)
		}
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	s := start(t, App{ClientID: clientID, Secret: secret, RedirectURIs: []string{webRedirect}})
	s.SetSignInUser(SignInUser{ObjectID: userOID, UPN: userUPN})
	const verifier = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
	// Not sent back: unknown app, unregistered redirect URI.
	for _, mod := range []func(url.Values){
		func(v url.Values) { v.Set("client_id", "00000000-0000-4000-8000-000000000000") },
		func(v url.Values) { v.Set("redirect_uri", "https://evil.example/admin/callback") },
	} {
		if st, loc := getNoFollow(t, s, authorizeURL(s, tenantA, verifier, mod)); st != 400 || loc != nil {
			t.Errorf("authorize: %d %v, want a 400 page", st, loc)
		}
	}
	// Sent back with an error.
	for name, mod := range map[string]func(url.Values){
		"unsupported_response_type": func(v url.Values) { v.Set("response_type", "token") },
		"invalid_scope":             func(v url.Values) { v.Set("scope", "profile") },
		"invalid_request":           func(v url.Values) { v.Set("code_challenge_method", "plain") },
	} {
		st, loc := getNoFollow(t, s, authorizeURL(s, tenantA, verifier, mod))
		if st != http.StatusFound || loc.Query().Get("error") != name {
			t.Errorf("%s: %d %v", name, st, loc)
		}
	}
	// Clearing the user refuses again.
	s.SetSignInUser(SignInUser{})
	if _, loc := getNoFollow(t, s, authorizeURL(s, tenantA, verifier, nil)); loc.Query().Get("error") != "access_denied" {
		t.Errorf("after clearing the user: %v", loc)
	}
	if s.AuthorizeRequests() != 6 {
		t.Errorf("AuthorizeRequests = %d, want 6", s.AuthorizeRequests())
	}
	// Discovery lists the endpoints of the flow.
	var doc map[string]any
	getJSON(t, s, s.URL+"/"+tenantA+"/v2.0/.well-known/openid-configuration", &doc)
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "end_session_endpoint"} {
		if v, _ := doc[k].(string); !strings.HasPrefix(v, s.URL+"/"+tenantA+"/oauth2/v2.0/") {
			t.Errorf("discovery %s = %v", k, doc[k])
		}
	}
	if !slices.Contains(toStrings(doc["response_types_supported"]), "code") {
		t.Error("discovery does not list response type code")
	}
	// Logout goes back.
	if st, loc := getNoFollow(t, s, s.URL+"/"+tenantA+"/oauth2/v2.0/logout?post_logout_redirect_uri="+
		url.QueryEscape("https://sendevagt.example/admin/login")); st != http.StatusFound || loc.Host != "sendevagt.example" {
		t.Errorf("logout: %d %v", st, loc)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
