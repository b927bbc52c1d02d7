package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A sign-in under way lives in the browser's login cookie, sealed (AES-256-GCM) with a key
// only the service knows: the state Entra ID sends back, the nonce expected in the ID token,
// the PKCE verifier, where to go afterwards and when it expires. Starting a sign-in writes
// nothing on the server, so unauthenticated requests cannot fill the database; the seal keeps
// the cookie from being forged or read; and every replica opens it when they share the key.

// loginState is the content of the login cookie.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
	Expires  int64  `json:"e"` // unix seconds
}

// maxLoginCookie bounds the cookie's value; maxLoginReturn bounds the return path sealed into it
// (a longer one is replaced by the start page), so the cookie stays well under a browser's 4 KB.
const (
	maxLoginCookie = 3072
	maxLoginReturn = 1024
)

var errLoginCookie = errors.New("auth: login cookie not valid")

// loginSealer seals and opens login cookies.
type loginSealer struct{ aead cipher.AEAD }

// newLoginSealer derives the cookie key from secret (the installation's audit key, shared by the
// replicas), or makes a random one for this process when secret is empty.
func newLoginSealer(secret []byte) (*loginSealer, error) {
	var key []byte
	if len(secret) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	} else {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("sendevagt admin login cookie v1"))
		key = m.Sum(nil)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &loginSealer{aead: aead}, nil
}

// seal returns the cookie value for st.
func (s *loginSealer) seal(st loginState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	v := base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(loginCookie)))
	if len(v) > maxLoginCookie {
		return "", fmt.Errorf("auth: login cookie of %d bytes", len(v))
	}
	return v, nil
}

// open returns the state sealed in v, refusing a value not sealed with this key or expired at now.
func (s *loginSealer) open(v string, now time.Time) (loginState, error) {
	if v == "" || len(v) > maxLoginCookie {
		return loginState{}, errLoginCookie
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return loginState{}, errLoginCookie
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(loginCookie))
	if err != nil {
		return loginState{}, errLoginCookie
	}
	var st loginState
	if err := json.Unmarshal(plain, &st); err != nil || st.State == "" {
		return loginState{}, errLoginCookie
	}
	if !now.Before(time.Unix(st.Expires, 0)) {
		return loginState{}, fmt.Errorf("%w: expired", errLoginCookie)
	}
	return st, nil
}
