package auth

import "github.com/golang-jwt/jwt/v5"

// claims are the Entra ID access token claims we read, v1 and v2.
type claims struct {
	jwt.RegisteredClaims
	Tid               string   `json:"tid"`
	Oid               string   `json:"oid"`
	Scp               string   `json:"scp"` // space-separated delegated scopes
	Roles             []string `json:"roles"`
	Azp               string   `json:"azp"`   // v2 client
	Appid             string   `json:"appid"` // v1 client
	PreferredUsername string   `json:"preferred_username"`
	Upn               string   `json:"upn"`
	UniqueName        string   `json:"unique_name"`
	Ver               string   `json:"ver"`
}

func (c *claims) upn() string {
	switch {
	case c.PreferredUsername != "":
		return c.PreferredUsername
	case c.Upn != "":
		return c.Upn
	}
	return c.UniqueName
}

func (c *claims) clientApp() string {
	if c.Azp != "" {
		return c.Azp
	}
	return c.Appid
}
