package fakeentra

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Grant types the token endpoint serves.
const (
	grantClientCredentials = "client_credentials"
	grantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// tokenLifetime is the expires_in of every issued token.
const tokenLifetime = 3599 * time.Second

// token serves POST /{tenant}/oauth2/v2.0/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	formErr := r.ParseForm()
	grant := r.PostForm.Get("grant_type")
	s.mu.Lock()
	s.counts.token++
	switch grant {
	case grantJWTBearer:
		s.counts.obo++
	case grantClientCredentials:
		s.counts.clientCredentials++
	}
	s.mu.Unlock()

	if status := s.takeFailure(); status != 0 {
		writeInjectedFailure(w, status, r.PostForm.Get("client_id"))
		return
	}
	if formErr != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'.", "")
		return
	}
	tenant := r.PathValue("tenant")
	if !validTenant(tenant) {
		writeTenantNotFound(w, tenant)
		return
	}
	clientID := r.PostForm.Get("client_id")
	if u, _, ok := r.BasicAuth(); ok && clientID == "" {
		clientID = u
	}
	if clientID == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'client_id'.", "")
		return
	}
	a, ok := s.apps[strings.ToLower(clientID)]
	if !ok {
		writeError(w, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", clientID, tenant), "")
		return
	}
	if ce := s.authenticateClient(r, a, tenant); ce != nil {
		writeError(w, ce.status, ce.code, ce.aadsts, ce.desc, "")
		return
	}
	if multiTenant(tenant) {
		writeError(w, http.StatusBadRequest, "invalid_request", 50059,
			"No tenant-identifying information found in either the request or implied by any provided credentials.", "")
		return
	}
	switch grant {
	case grantClientCredentials:
		s.clientCredentials(w, r, a, tenant)
	case grantJWTBearer:
		s.onBehalfOf(w, r, a, tenant)
	case grantAuthorizationCode:
		s.redeemCode(w, r, a, tenant)
	case "":
		writeError(w, http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'.", "")
	default:
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant), "")
	}
}

func (s *Server) clientCredentials(w http.ResponseWriter, r *http.Request, a *app, tenant string) {
	var rs []string
	for _, sc := range strings.Fields(r.PostForm.Get("scope")) {
		if !oidcScope(sc) {
			rs = append(rs, sc)
		}
	}
	scope := strings.Join(rs, " ")
	resource, ok := strings.CutSuffix(scope, "/.default")
	if !ok || strings.Contains(resource, " ") {
		writeError(w, http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope), "")
		return
	}
	aud := resource
	if isGraph(resource) {
		aud = GraphAppID
	}
	tok := s.MintToken(TokenClaims{
		Version:   V1,
		Tenant:    tenant,
		ObjectID:  servicePrincipalID(tenant, a.ClientID),
		Audience:  aud,
		Roles:     a.graphRoles(),
		ClientApp: a.ClientID,
		Expiry:    time.Now().Add(tokenLifetime),
		Extra:     map[string]any{"idtyp": "app"},
	})
	writeToken(w, tok, "")
}

func (s *Server) onBehalfOf(w http.ResponseWriter, r *http.Request, a *app, tenant string) {
	if use := r.PostForm.Get("requested_token_use"); use != "on_behalf_of" {
		writeError(w, http.StatusBadRequest, "invalid_request", 50034,
			"The request body must contain the following parameter: 'requested_token_use' with the value 'on_behalf_of'.", "")
		return
	}
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'assertion'.", "")
		return
	}
	user, ae := s.verifyUserAssertion(assertion, a, tenant)
	if ae != nil {
		writeError(w, http.StatusBadRequest, "invalid_grant", ae.aadsts, ae.desc, "")
		return
	}
	requested, graphScopes, bad := graphScopesOf(r.PostForm.Get("scope"), a.graphScopes())
	if bad != "" {
		writeError(w, http.StatusBadRequest, "invalid_scope", 70011,
			fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", bad), "")
		return
	}
	for _, sc := range graphScopes {
		if !slices.ContainsFunc(a.graphScopes(), func(g string) bool { return strings.EqualFold(g, sc) }) {
			writeError(w, http.StatusBadRequest, "invalid_grant", 65001,
				fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s'. Send an interactive authorization request for this user and resource.", a.ClientID),
				"consent_required")
			return
		}
	}
	tok := s.MintToken(TokenClaims{
		Version:   V1,
		Tenant:    user.tenant,
		ObjectID:  user.oid,
		UPN:       user.upn,
		Audience:  GraphAppID,
		Scope:     strings.Join(graphScopes, " "),
		ClientApp: a.ClientID,
		Expiry:    time.Now().Add(tokenLifetime),
		Extra:     map[string]any{"idtyp": "user"},
	})
	granted := make([]string, 0, len(graphScopes)+len(requested))
	for _, sc := range graphScopes {
		granted = append(granted, GraphResource+"/"+sc)
	}
	for _, sc := range requested {
		if !slices.ContainsFunc(granted, func(g string) bool { return strings.EqualFold(g, sc) }) {
			granted = append(granted, sc)
		}
	}
	writeToken(w, tok, strings.Join(granted, " "))
}

// graphScopesOf splits an OBO scope parameter: the requested resource scopes as sent (the OpenID
// ones dropped), the Graph permissions they name (".default" = every consented one), and the
// first scope that is not a Graph scope, if any.
func graphScopesOf(param string, consented []string) (requested, perms []string, bad string) {
	for _, sc := range strings.Fields(param) {
		if oidcScope(sc) {
			continue
		}
		requested = append(requested, sc)
		name := sc
		if i := strings.LastIndex(sc, "/"); i >= 0 {
			if !isGraph(sc[:i]) {
				return nil, nil, sc
			}
			name = sc[i+1:]
		}
		if name == ".default" {
			perms = append(perms, consented...)
			continue
		}
		perms = append(perms, name)
	}
	if len(requested) == 0 {
		return nil, nil, "(empty)"
	}
	return requested, slices.Compact(perms), ""
}

// oidcScope reports whether sc is one of the OpenID Connect scopes MSAL adds to every request.
func oidcScope(sc string) bool {
	switch strings.ToLower(sc) {
	case "openid", "profile", "offline_access", "email":
		return true
	}
	return false
}

func isGraph(resource string) bool {
	r := strings.TrimSuffix(strings.ToLower(resource), "/")
	return r == GraphResource || r == GraphAppID || r == "https://graph.microsoft.com/v1.0"
}

// servicePrincipalID is a stable object id for the app's service principal in tenant.
func servicePrincipalID(tenant, clientID string) string {
	b := sha256.Sum256([]byte("sp/" + tenant + "/" + clientID))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func writeToken(w http.ResponseWriter, accessToken, scope string) {
	body := map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(tokenLifetime / time.Second),
		"ext_expires_in": int(tokenLifetime / time.Second),
		"access_token":   accessToken,
	}
	if scope != "" {
		body["scope"] = scope
	}
	writeJSON(w, http.StatusOK, body)
}

// writeInjectedFailure answers a failure set with SetFailures.
func writeInjectedFailure(w http.ResponseWriter, status int, clientID string) {
	switch status {
	case http.StatusBadRequest:
		writeError(w, status, "invalid_grant", 65001,
			fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s'. Send an interactive authorization request for this user and resource.", clientID),
			"consent_required")
	case http.StatusUnauthorized:
		writeError(w, status, "invalid_client", 7000215, "Invalid client secret provided.", "")
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		writeError(w, status, "temporarily_unavailable", 50196,
			"The server terminated an operation because it encountered a client request loop.", "")
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		w.Header().Set("Retry-After", "1")
		writeError(w, status, "temporarily_unavailable", 90033,
			"A transient error has occurred. Please try again.", "")
	default:
		writeError(w, status, "server_error", 90033, "A transient error has occurred. Please try again.", "")
	}
}
