package fakeentra

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The OpenID Connect authorization-code flow (with PKCE), as a confidential web app uses it:
//
//	GET  /{tenant}/oauth2/v2.0/authorize   signs in the user set with SetSignInUser at once (no
//	                                       page, no consent) and redirects to redirect_uri with
//	                                       code and state; no user set: error=access_denied
//	POST /{tenant}/oauth2/v2.0/token       grant_type=authorization_code: redeems the code once
//	                                       (bound to client, redirect_uri and code_challenge) for
//	                                       an id_token and an access_token
//	GET  /{tenant}/oauth2/v2.0/logout      redirects to post_logout_redirect_uri (or a page)

// grantAuthorizationCode is the grant type of the code redemption.
const grantAuthorizationCode = "authorization_code"

// codeLifetime is how long an authorization code can be redeemed (Entra ID: about 10 minutes).
const codeLifetime = 10 * time.Minute

// SignInUser is the user the authorize endpoint signs in.
type SignInUser struct {
	// ObjectID is the user's oid (a GUID).
	ObjectID string
	// Name is the display name (name claim).
	Name string
	// UPN is the preferred_username.
	UPN string
	// Roles are the app roles assigned to the user on the app signed in to (roles claim).
	Roles []string
	// Tenant is the home tenant (tid); default the tenant in the authorize URL. Needed when
	// signing in through common or organizations.
	Tenant string
}

// SetSignInUser makes the authorize endpoint sign u in (auto-approved). A zero SignInUser
// (no ObjectID) makes it refuse every sign-in with error=access_denied, as when the user cancels.
func (s *Server) SetSignInUser(u SignInUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ObjectID == "" {
		s.signIn = nil
		return
	}
	u.Roles = slices.Clone(u.Roles)
	s.signIn = &u
}

// AuthorizeRequests returns how many requests the authorize endpoint received.
func (s *Server) AuthorizeRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.authorize
}

// AuthorizeEndpoint is the v2 authorize endpoint of tenant.
func (s *Server) AuthorizeEndpoint(tenant string) string {
	return s.URL + "/" + tenant + "/oauth2/v2.0/authorize"
}

// authCode is an issued, not yet redeemed authorization code.
type authCode struct {
	clientID    string
	redirectURI string
	tenant      string // the tenant path it was issued under
	challenge   string // S256 code_challenge ("" = no PKCE)
	nonce       string
	scope       string
	user        SignInUser
	expires     time.Time
}

// authorize serves GET /{tenant}/oauth2/v2.0/authorize.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts.authorize++
	s.mu.Unlock()
	q := r.URL.Query()
	tenant := r.PathValue("tenant")
	if !validTenant(tenant) {
		writeAuthorizePage(w, http.StatusBadRequest, "AADSTS90002", fmt.Sprintf("Tenant '%s' not found.", tenant))
		return
	}
	clientID := q.Get("client_id")
	a, ok := s.apps[strings.ToLower(clientID)]
	if !ok {
		writeAuthorizePage(w, http.StatusBadRequest, "AADSTS700016",
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", clientID, tenant))
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !a.acceptsRedirect(redirectURI) {
		writeAuthorizePage(w, http.StatusBadRequest, "AADSTS50011",
			fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirectURI, a.ClientID))
		return
	}
	// From here on errors go back to the app.
	state := q.Get("state")
	fail := func(code string, aadsts int, desc string) {
		v := url.Values{"error": {code}, "error_description": {fmt.Sprintf("AADSTS%d: %s", aadsts, desc)},
			"error_uri": {fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", aadsts)}}
		if state != "" {
			v.Set("state", state)
		}
		http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
	}
	if rt := q.Get("response_type"); rt != "code" {
		fail("unsupported_response_type", 700054, fmt.Sprintf("response_type '%s' is not enabled for the application.", rt))
		return
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		fail("invalid_request", 900144, fmt.Sprintf("The fake serves response_mode 'query' only, not '%s'.", rm))
		return
	}
	if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		fail("invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid: it must contain 'openid'.")
		return
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		fail("invalid_request", 900144, "The request body must contain the following parameter: 'code_challenge'.")
		return
	case challenge != "" && method != "S256":
		// Entra ID also accepts "plain"; the fake insists on S256, which every client should use.
		fail("invalid_request", 50148, fmt.Sprintf("The code_challenge_method '%s' is not supported; use S256.", method))
		return
	case challenge != "" && (len(challenge) != 43 || strings.ContainsAny(challenge, "+/=")):
		fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
		return
	}
	s.mu.Lock()
	u := s.signIn
	s.mu.Unlock()
	if u == nil {
		fail("access_denied", 50126, "The user canceled the sign-in or no user is signed in to the fake.")
		return
	}
	tid := u.Tenant
	if tid == "" {
		if multiTenant(tenant) {
			fail("invalid_request", 50059, "No tenant-identifying information found: set SignInUser.Tenant to sign in through "+tenant+".")
			return
		}
		tid = tenant
	}
	code := randomID(48)
	user := *u
	user.Tenant = tid
	s.mu.Lock()
	if s.codes == nil {
		s.codes = map[string]*authCode{}
	}
	now := time.Now()
	for k, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, k)
		}
	}
	s.codes[code] = &authCode{clientID: a.ClientID, redirectURI: redirectURI, tenant: tenant, challenge: challenge,
		nonce: q.Get("nonce"), scope: q.Get("scope"), user: user, expires: now.Add(codeLifetime)}
	s.mu.Unlock()
	v := url.Values{"code": {code}, "session_state": {newGUID()}}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
}

// redeemCode serves grant_type=authorization_code for the authenticated app a.
func (s *Server) redeemCode(w http.ResponseWriter, r *http.Request, a *app, tenant string) {
	code := r.PostForm.Get("code")
	if code == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'code'.", "")
		return
	}
	s.mu.Lock()
	c, ok := s.codes[code]
	if ok && !c.expires.IsZero() && c.clientID == a.ClientID {
		// One use: a redemption attempt by the client the code was issued to consumes it, even
		// a failed one. Later attempts see it redeemed.
		s.codes[code] = &authCode{clientID: c.clientID}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, "invalid_grant", 9002313,
			"Invalid request. Request is malformed or invalid. - The provided authorization code is invalid.", "")
		return
	case c.clientID != a.ClientID:
		writeError(w, http.StatusBadRequest, "invalid_grant", 70000,
			"The provided authorization code was not issued to this client.", "")
		return
	case c.expires.IsZero():
		writeError(w, http.StatusBadRequest, "invalid_grant", 54005,
			"OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", "")
		return
	case time.Now().After(c.expires):
		writeError(w, http.StatusBadRequest, "invalid_grant", 70008,
			"The provided authorization code or refresh token has expired due to inactivity.", "")
		return
	case c.tenant != tenant:
		writeError(w, http.StatusBadRequest, "invalid_grant", 70000,
			"The provided authorization code was issued for another tenant endpoint.", "")
		return
	case r.PostForm.Get("redirect_uri") != c.redirectURI:
		writeError(w, http.StatusBadRequest, "invalid_grant", 500117,
			"The reply uri specified in the token request does not match the reply uri specified in the authorization request.", "")
		return
	}
	verifier := r.PostForm.Get("code_verifier")
	if c.challenge != "" {
		if verifier == "" {
			writeError(w, http.StatusBadRequest, "invalid_request", 50148,
				"The code_verifier does not match the code_challenge supplied in the authorization request for PKCE (no code_verifier was sent).", "")
			return
		}
		sum := sha256.Sum256([]byte(verifier))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(c.challenge)) != 1 {
			writeError(w, http.StatusBadRequest, "invalid_grant", 501481,
				"The Code_Verifier does not match the code_challenge supplied in the authorization request.", "")
			return
		}
	}
	u := c.user
	now := time.Now()
	extra := map[string]any{"name": u.Name, "idtyp": "user"}
	if c.nonce != "" {
		extra["nonce"] = c.nonce
	}
	idToken := s.MintToken(TokenClaims{
		Tenant: u.Tenant, ObjectID: u.ObjectID, UPN: u.UPN, Audience: a.ClientID, Roles: u.Roles,
		IssuedAt: now, Expiry: now.Add(time.Hour), Extra: extra,
	})
	accessToken := s.MintToken(TokenClaims{
		Version: V1, Tenant: u.Tenant, ObjectID: u.ObjectID, UPN: u.UPN, Audience: GraphAppID,
		Scope: "openid profile email User.Read", ClientApp: a.ClientID, Expiry: now.Add(tokenLifetime),
		Extra: map[string]any{"name": u.Name, "idtyp": "user"},
	})
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"scope":          "openid profile email " + GraphResource + "/User.Read",
		"expires_in":     int(tokenLifetime / time.Second),
		"ext_expires_in": int(tokenLifetime / time.Second),
		"access_token":   accessToken,
		"id_token":       idToken,
	})
}

// logout serves GET /{tenant}/oauth2/v2.0/logout: back to post_logout_redirect_uri when given.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if to := r.URL.Query().Get("post_logout_redirect_uri"); to != "" {
		if u, err := url.Parse(to); err == nil && u.IsAbs() {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
	}
	writeAuthorizePage(w, http.StatusOK, "", "You signed out of your account.")
}

// acceptsRedirect reports whether uri is a redirect URI registered for the app: one of
// RedirectURIs, or, when none are registered, any absolute https URL or http loopback URL.
func (a *app) acceptsRedirect(uri string) bool {
	if uri == "" {
		return false
	}
	if len(a.RedirectURIs) > 0 {
		return slices.Contains(a.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return false
	}
	host := u.Hostname()
	return u.Scheme == "https" || (u.Scheme == "http" && (host == "localhost" || host == "127.0.0.1" || host == "::1"))
}

func withQuery(base string, v url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}

// writeAuthorizePage is the page Entra ID shows when it cannot send the user back to the app.
func writeAuthorizePage(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!doctype html><title>Sign in to your account</title><p>%s</p><p>%s</p>",
		html.EscapeString(code), html.EscapeString(msg))
}
