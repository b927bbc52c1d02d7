package auth

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestConfigErrors(t *testing.T) {
	base := func() Config {
		return Config{Audiences: []string{clientID}, TenantIDs: []string{tenantA}, JWKSURL: "https://keys.example/keys"}
	}
	tests := []struct {
		name   string
		mutate func(*Config)
	}{
		{"no audience", func(c *Config) { c.Audiences = nil }},
		{"no tenant", func(c *Config) { c.TenantIDs = nil }},
		{"empty tenant in list", func(c *Config) { c.TenantIDs = []string{tenantA, " "} }},
		{"plain http key set", func(c *Config) { c.JWKSURL = "http://keys.example/keys" }},
		{"relative key set URL", func(c *Config) { c.JWKSURL = "/keys" }},
		{"plain http authority", func(c *Config) { c.JWKSURL, c.AuthorityHost = "", "http://login.example" }},
		{"static key set not JSON", func(c *Config) { c.StaticJWKS = []byte("{nope") }},
		{"static key set without keys", func(c *Config) { c.StaticJWKS = []byte(`{"keys":"x"}`) }},
		{"negative leeway", func(c *Config) { c.Leeway = -time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.mutate(&cfg)
			v, err := NewValidator(t.Context(), cfg)
			if !errors.Is(err, ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
			if v != nil {
				v.Close()
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		wantIssuers []string
		wantJWKS    string
	}{
		{"Entra ID", Config{Audiences: []string{clientID}, TenantIDs: []string{tenantA}},
			[]string{"https://login.microsoftonline.com/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/"},
			"https://login.microsoftonline.com/common/discovery/v2.0/keys"},
		{"own signing keys", Config{Audiences: []string{clientID}, TenantIDs: []string{tenantA}, SigningKeyAppID: clientID},
			nil, "https://login.microsoftonline.com/common/discovery/v2.0/keys?appid=" + clientID},
		{"other authority host", Config{Audiences: []string{clientID}, TenantIDs: []string{tenantA}, AuthorityHost: "https://login.microsoftonline.us/"},
			[]string{"https://login.microsoftonline.us/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/"},
			"https://login.microsoftonline.us/common/discovery/v2.0/keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantIssuers != nil && !slices.Equal(got.Issuers, tt.wantIssuers) {
				t.Errorf("Issuers = %v", got.Issuers)
			}
			if got.JWKSURL != tt.wantJWKS {
				t.Errorf("JWKSURL = %q", got.JWKSURL)
			}
			if got.RequiredScope != "access_as_user" || got.Leeway != 2*time.Minute ||
				got.RefreshUnknownKIDWait != 2*time.Second || got.HTTPClient == nil || got.HTTPClient.Timeout != 10*time.Second {
				t.Errorf("defaults: scope %q leeway %v wait %v client %v", got.RequiredScope, got.Leeway, got.RefreshUnknownKIDWait, got.HTTPClient)
			}
		})
	}
}
