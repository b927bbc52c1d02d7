package auth

import "strings"

// BearerToken returns the token of an Authorization header value "Bearer <token>" (the scheme in
// any case). A missing header, another scheme, an empty token or one with spaces wraps
// ErrInvalidToken.
func BearerToken(authorizationHeader string) (string, error) {
	h := strings.TrimSpace(authorizationHeader)
	if h == "" {
		return "", reject("missing bearer token", nil)
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", reject("authorization scheme is not Bearer", nil)
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", reject("malformed bearer token", nil)
	}
	return token, nil
}
