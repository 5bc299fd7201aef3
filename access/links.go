package access

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// LinkSigner makes and checks short-lived signed links, with which a
// browser opens one report without a bearer token: the link names the
// file, an expiry and the token it was made for, under an HMAC-SHA256
// signature. It is valid for that file only and until its expiry.
type LinkSigner struct {
	key []byte
	ttl time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// LinkTTL is how long a signed link stays valid.
const LinkTTL = 15 * time.Minute

// NewLinkSigner signs with key for ttl. A nil key is replaced by a random
// one for this process: links then die when it restarts, which short-lived
// links can afford; instances behind one load balancer need a shared key
// (LoadLinkKey).
func NewLinkSigner(key []byte, ttl time.Duration) *LinkSigner {
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic("access: no randomness for the link key: " + err.Error())
		}
	}
	return &LinkSigner{key: key, ttl: ttl, Now: time.Now}
}

// LoadLinkKey reads a link key from a file: at least 32 bytes, surrounding
// white space ignored (a key of random bytes or their base64 alike).
func LoadLinkKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("access: link key: %w", err)
	}
	b = []byte(strings.TrimSpace(string(b)))
	if len(b) < 32 {
		return nil, fmt.Errorf("access: link key %s: %d bytes; at least 32 are needed", path, len(b))
	}
	return b, nil
}

// Sign returns path with the query that lets it be opened until the expiry,
// made for the token with id by.
func (s *LinkSigner) Sign(path string, by int64) string {
	exp := strconv.FormatInt(s.Now().Add(s.ttl).Unix(), 10)
	b := strconv.FormatInt(by, 10)
	return path + "?" + url.Values{"exp": {exp}, "by": {b}, "sig": {s.mac(path, exp, b)}}.Encode()
}

// Verify says whether q signs path and has not expired; by is the token the
// link was made for.
func (s *LinkSigner) Verify(path string, q url.Values) (by int64, ok bool) {
	exp, b, sig := q.Get("exp"), q.Get("by"), q.Get("sig")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return 0, false
	}
	want, _ := base64.RawURLEncoding.DecodeString(s.mac(path, exp, b))
	if !hmac.Equal(got, want) {
		return 0, false
	}
	until, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !s.Now().Before(time.Unix(until, 0)) {
		return 0, false
	}
	by, err = strconv.ParseInt(b, 10, 64)
	return by, err == nil
}

// mac signs the fields on lines of their own, so that none can borrow
// characters from another.
func (s *LinkSigner) mac(path, exp, by string) string {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "kedja report link v1\n%s\n%s\n%s", path, exp, by)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
