package fakeentra

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validTenant reports whether t names a tenant as Entra ID accepts it in a path: a GUID, a domain
// name, or one of the multi-tenant aliases.
func validTenant(t string) bool {
	switch t {
	case "common", "organizations", "consumers":
		return true
	}
	return guidRE.MatchString(t) || (strings.Contains(t, ".") && !strings.ContainsAny(t, "/?#% "))
}

func multiTenant(t string) bool {
	return t == "common" || t == "organizations" || t == "consumers"
}

// issuerTenant is what the metadata's issuer shows for tenant: the tenant itself, or the literal
// {tenantid} template for the multi-tenant aliases, as Entra ID does.
func issuerTenant(tenant string) string {
	if multiTenant(tenant) {
		return "{tenantid}"
	}
	return tenant
}

func (s *Server) openIDConfigV2(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !validTenant(tenant) {
		writeTenantNotFound(w, tenant)
		return
	}
	base := s.URL + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.IssuerV2(issuerTenant(tenant)),
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"userinfo_endpoint":                     GraphResource + "/oidc/userinfo",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"request_uri_parameter_supported":       false,
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

func (s *Server) openIDConfigV1(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !validTenant(tenant) {
		writeTenantNotFound(w, tenant)
		return
	}
	base := s.URL + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.IssuerV1(issuerTenant(tenant)),
		"authorization_endpoint":                base + "/oauth2/authorize",
		"token_endpoint":                        base + "/oauth2/token",
		"jwks_uri":                              s.URL + "/common/discovery/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"cloud_instance_name":                   "microsoftonline.com",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	if t := r.PathValue("tenant"); !validTenant(t) {
		writeTenantNotFound(w, t)
		return
	}
	s.mu.Lock()
	s.counts.jwks++
	doc := s.jwksDocLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, doc)
}

// instanceDiscovery answers MSAL's AAD instance discovery
// (GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...): the tenant
// discovery endpoint on the fake, and the fake's host as the only alias. Note that MSAL sends
// this request to the fake only for a Microsoft authority host; for any other host (such as
// 127.0.0.1) it asks login.microsoftonline.com, so clients of the fake set
// DisableInstanceDiscovery.
func (s *Server) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	tenant := "common"
	if ae := r.URL.Query().Get("authorization_endpoint"); ae != "" {
		u, err := url.Parse(ae)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_instance", 50049,
				"'authority' Uri is invalid or malformed.", "")
			return
		}
		if seg := strings.Split(strings.Trim(u.Path, "/"), "/"); seg[0] != "" {
			tenant = seg[0]
		}
	}
	host := strings.TrimPrefix(s.URL, "https://")
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.URL + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host,
			"preferred_cache":   host,
			"aliases":           []string{host},
		}},
	})
}

func writeTenantNotFound(w http.ResponseWriter, tenant string) {
	writeError(w, http.StatusBadRequest, "invalid_tenant", 90002,
		fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant), "")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes an error body shaped as Entra ID's: error, error_description starting with
// the AADSTS code, error_codes, timestamp, trace and correlation ids, and suberror when given.
func writeError(w http.ResponseWriter, status int, code string, aadsts int, description, suberror string) {
	now := time.Now().UTC()
	trace, corr := newGUID(), newGUID()
	body := map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, description, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", aadsts),
	}
	if suberror != "" {
		body["suberror"] = suberror
	}
	writeJSON(w, status, body)
}

func newGUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
