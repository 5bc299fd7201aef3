package registry

import "time"

// Session is a browser's signed-in session, made from an API token: it
// acts with the token's name and role, and ends when the token does.
type Session struct {
	TokenID   int64     `db:"token_id"`
	Name      string    `db:"name"`
	Role      string    `db:"role"`
	CSRF      string    `db:"csrf"` // the form token its POSTs must carry
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"` // the absolute end, however active
}
