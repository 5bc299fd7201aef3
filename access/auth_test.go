package access

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// fakeTokens is a token store in memory. Lookups may be held at a gate, so
// that a test can have every concurrent attempt in flight at once.
type fakeTokens struct {
	tokens  map[string]registry.Token
	lookups atomic.Int64
	marks   atomic.Int64
	gate    func() // called by each lookup before it answers; nil: none

	mu       sync.Mutex
	lockouts []registry.Lockout
}

func newFake(tokens map[string]registry.Token) *fakeTokens { return &fakeTokens{tokens: tokens} }

func (f *fakeTokens) Authenticate(_ context.Context, secret string) (registry.Token, bool, error) {
	f.lookups.Add(1)
	if f.gate != nil {
		f.gate()
	}
	if secret == "kedja_boom00" {
		return registry.Token{}, false, errors.New("database down")
	}
	t, ok := f.tokens[secret]
	return t, ok, nil
}

func (f *fakeTokens) MarkTokenUsed(context.Context, int64) error { f.marks.Add(1); return nil }

func (f *fakeTokens) LockOut(_ context.Context, kind, key string, failures int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.lockouts {
		if l.Kind == kind && l.Key == key {
			return nil
		}
	}
	f.lockouts = append(f.lockouts, registry.Lockout{Kind: kind, Key: key, Failures: failures})
	return nil
}

func (f *fakeTokens) Lockouts(context.Context) ([]registry.Lockout, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]registry.Lockout(nil), f.lockouts...), nil
}

func (f *fakeTokens) lift(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keep []registry.Lockout
	for _, l := range f.lockouts {
		if l.Key != key {
			keep = append(keep, l)
		}
	}
	f.lockouts = keep
}

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	good  = "kedja_GOOD00secret"
	guess = "kedja_GOOD00guess" // the good token's prefix, a wrong secret
)

// testGuard is small enough to exhaust in a test.
var testGuard = Guard{
	Token: Budget{PerSecond: 1, Burst: 2}, Failures: Budget{PerSecond: 0.1, Burst: 5}, Prefix: Budget{PerSecond: 0.1, Burst: 8},
	Anonymous: Budget{PerSecond: 1, Burst: 3}, BackoffAfter: 3, BackoffBase: time.Second, BackoffMax: time.Minute,
	LockAfter: 6, FailureWindow: time.Hour, Recheck: 5 * time.Second, Capacity: 100, LastUsedEvery: time.Minute,
}

func newTestAuth(t *testing.T, f *fakeTokens, g Guard) (*Authenticator, *clock) {
	t.Helper()
	a := NewAuthenticator(f, g, nil)
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a.Now = c.Now
	return a, c
}

func goodTokens() map[string]registry.Token {
	return map[string]registry.Token{good: {ID: 7, Name: "ci", Role: registry.RoleEditor, Prefix: "kedja_GOOD00"}}
}

func TestAuthenticateAnswers(t *testing.T) {
	tests := []struct {
		name, secret string
		want         error
		principal    Principal
	}{
		{"GoodToken", " " + good + " ", nil, Principal{Name: "ci", Role: registry.RoleEditor, Client: "10.0.0.1", TokenID: 7}},
		{"NoToken", "", ErrNoToken, Principal{Name: "anonymous", Client: "10.0.0.1"}},
		{"UnknownToken", guess, ErrUnknownToken, Principal{Name: "anonymous", Client: "10.0.0.1"}},
		{"Malformed", "Basic xyz", ErrUnknownToken, Principal{Name: "anonymous", Client: "10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newTestAuth(t, newFake(goodTokens()), testGuard)
			p, err := a.Authenticate(context.Background(), tt.secret, "10.0.0.1")
			if !errors.Is(err, tt.want) || p != tt.principal {
				t.Errorf("got %+v, %v; want %+v, %v", p, err, tt.principal, tt.want)
			}
		})
	}
	t.Run("FailedLookup", func(t *testing.T) {
		f := newFake(goodTokens())
		a, _ := newTestAuth(t, f, testGuard)
		// A failing store costs no budget: the attempt proved nothing.
		for range testGuard.Failures.Burst + 1 {
			if p, err := a.Authenticate(context.Background(), "kedja_boom00", "10.0.0.1"); err == nil || p.Name != "anonymous" {
				t.Fatalf("failed lookup: %+v, %v", p, err)
			}
		}
		if _, err := a.Authenticate(context.Background(), guess, "10.0.0.1"); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("after failed lookups: %v; want the address's budget intact", err)
		}
	})
	t.Run("TokenRate", func(t *testing.T) {
		a, _ := newTestAuth(t, newFake(goodTokens()), testGuard)
		for range testGuard.Token.Burst {
			if _, err := a.Authenticate(context.Background(), good, "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
		}
		// Refused, but recorded as the token's.
		if p, err := a.Authenticate(context.Background(), good, "10.0.0.1"); !errors.Is(err, ErrTooManyRequests) || p.Name != "ci" {
			t.Errorf("past the token's burst: %+v, %v", p, err)
		}
	})
}

// Every attempt is in flight at once (each lookup waits until all have
// been either refused or let through to the lookup): the budget is taken
// before the lookup, so no more than it reach the store.
func TestConcurrentGuessesSpendTheBudget(t *testing.T) {
	tests := []struct {
		name      string
		addresses int
		g         Guard
		max       int64
	}{
		{"OneAddress", 1, testGuard, int64(testGuard.Failures.Burst)},
		// Ten addresses with 5 each could try 50; the prefix allows 8.
		{"TenAddressesOnePrefix", 10, testGuard, int64(testGuard.Prefix.Burst)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const attempts = 50
			f := newFake(goodTokens())
			var settled sync.WaitGroup
			settled.Add(attempts)
			f.gate = func() { settled.Done(); settled.Wait() }
			a, _ := newTestAuth(t, f, tt.g)
			var unknown, limited atomic.Int64
			var done sync.WaitGroup
			for i := range attempts {
				done.Add(1)
				go func() {
					defer done.Done()
					_, err := a.Authenticate(context.Background(), fmt.Sprintf("%s%03d", guess, i), fmt.Sprintf("10.0.0.%d", i%tt.addresses))
					switch {
					case errors.Is(err, ErrUnknownToken):
						unknown.Add(1)
					case errors.Is(err, ErrTooManyFailures):
						limited.Add(1)
						settled.Done()
					default:
						t.Errorf("attempt %d: %v", i, err)
					}
				}()
			}
			done.Wait()
			if f.lookups.Load() != tt.max || unknown.Load() != tt.max || limited.Load() != attempts-tt.max {
				t.Errorf("%d lookups, %d unknown, %d limited; want %d looked up, the rest limited", f.lookups.Load(), unknown.Load(), limited.Load(), tt.max)
			}
		})
	}
}

// A burst of attempts with one secret not yet known (a client starting with
// a good token, or a guesser repeating one guess) is one lookup's worth of
// budget: the rest wait for the first lookup, so a good client's start is
// not refused as guessing.
func TestBurstWithOneSecretSpendsOnce(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		want    error
		lookups int64 // lookups made by the burst
	}{
		// Once the first lookup knows it good, each goes on as a known
		// secret (looked up, no budget spent).
		{"GoodSecret", good, nil, 50},
		{"OneWrongSecret", guess, ErrUnknownToken, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const attempts = 50
			f := newFake(goodTokens())
			g := testGuard
			g.Token = Budget{PerSecond: 1000, Burst: attempts}
			// Only the budget counts here, not back-off or lock-out.
			g.BackoffAfter, g.LockAfter = 1000, 1000
			a, _ := newTestAuth(t, f, g)
			// The first lookup answers only once every other attempt
			// waits for it.
			var waiters sync.WaitGroup
			waiters.Add(attempts - 1)
			a.waiting = waiters.Done
			var once sync.Once
			f.gate = func() { once.Do(waiters.Wait) }
			var wrong atomic.Int64
			var done sync.WaitGroup
			for i := range attempts {
				done.Add(1)
				go func() {
					defer done.Done()
					if _, err := a.Authenticate(context.Background(), tt.secret, "10.0.0.1"); !errors.Is(err, tt.want) {
						wrong.Add(1)
						t.Errorf("attempt %d: %v; want %v", i, err, tt.want)
					}
				}()
			}
			done.Wait()
			if got := f.lookups.Load(); got != tt.lookups {
				t.Errorf("%d lookups; want %d", got, tt.lookups)
			}
			// One failure at most was counted: the address still has all
			// but one of its budget for new guesses.
			left := 0
			for i := range testGuard.Failures.Burst {
				if _, err := a.Authenticate(context.Background(), fmt.Sprintf("%s%03d", guess, i), "10.0.0.1"); errors.Is(err, ErrUnknownToken) {
					left++
				}
			}
			spent := 0
			if tt.want != nil {
				spent = 1
			}
			if left != testGuard.Failures.Burst-spent {
				t.Errorf("the address had %d attempts left after the burst; want %d", left, testGuard.Failures.Burst-spent)
			}
		})
	}
}

func TestBackoffThenLockout(t *testing.T) {
	ctx := context.Background()
	f := newFake(goodTokens())
	g := testGuard
	g.Failures = Budget{PerSecond: 100, Burst: 100} // only back-off and lock-out slow this guesser
	g.Prefix = g.Failures
	a, c := newTestAuth(t, f, g)
	try := func(secret string) error { _, err := a.Authenticate(ctx, secret, "10.0.0.9"); return err }

	for i := range g.BackoffAfter {
		if err := try(guess); !errors.Is(err, ErrUnknownToken) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// From failure BackoffAfter+1 on, each attempt waits 1 s, 2 s, 4 s...
	steps := []struct {
		wait    time.Duration
		want    error
		lookups int64
	}{
		{0, ErrUnknownToken, 4},              // the 4th failure; back-off 1 s from now
		{0, ErrTooManyFailures, 4},           // too soon: refused, not looked up
		{time.Second, ErrUnknownToken, 5},    // 5th; back-off 2 s
		{time.Second, ErrTooManyFailures, 5}, // too soon
		{time.Second, ErrUnknownToken, 6},    // 6th = LockAfter: locked out
		{time.Hour, ErrLockedOut, 6},         // a lock-out does not wear off
		{0, ErrLockedOut, 6},                 // not even for another secret of the prefix
	}
	for i, s := range steps {
		c.add(s.wait)
		if err := try(guess); !errors.Is(err, s.want) || f.lookups.Load() != s.lookups {
			t.Fatalf("step %d: %v after %d lookups; want %v after %d", i, err, f.lookups.Load(), s.want, s.lookups)
		}
	}
	ls, _ := f.Lockouts(ctx)
	if len(ls) != 2 || ls[0].Kind != registry.LockAddress || ls[0].Key != "10.0.0.9" || ls[1].Kind != registry.LockPrefix || ls[1].Key != "kedja_GOOD00" {
		t.Fatalf("lock-outs kept: %+v", ls)
	}
	// A secret never seen good is refused at a locked prefix, the right
	// one too (TestKnownSecretIsNotLockedOutByGuessers: one seen good is
	// not).
	if _, err := a.Authenticate(ctx, good, "10.0.0.1"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("a secret never seen good, at a locked prefix: %v", err)
	}

	// A restart does not lift it: a new authenticator reads it back.
	b, _ := newTestAuth(t, f, g)
	if _, err := b.Authenticate(ctx, "kedja_OTHER0x", "10.0.0.9"); !errors.Is(err, ErrLockedOut) {
		t.Errorf("after a restart: %v", err)
	}
	// An admin lifts both; the authenticator sees it at the next attempt
	// after Recheck, with the failures forgotten (one more mistake does not
	// lock it again).
	f.lift("10.0.0.9")
	f.lift("kedja_GOOD00")
	if err := try(guess); !errors.Is(err, ErrLockedOut) {
		t.Errorf("within Recheck of the last read: %v", err)
	}
	c.add(g.Recheck)
	if err := try(guess); !errors.Is(err, ErrUnknownToken) {
		t.Errorf("after the lift: %v", err)
	}
	if err := try(good); err != nil {
		t.Errorf("the good token after the lift: %v", err)
	}
}

func TestKnownSecretIsNotLockedOutByGuessers(t *testing.T) {
	ctx := context.Background()
	f := newFake(goodTokens())
	g := testGuard
	g.Failures = Budget{PerSecond: 100, Burst: 100}
	g.BackoffAfter = 100
	a, _ := newTestAuth(t, f, g)
	if _, err := a.Authenticate(ctx, good, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	for range g.LockAfter {
		a.Authenticate(ctx, guess, "10.0.0.66")
	}
	if _, err := a.Authenticate(ctx, guess, "10.0.0.2"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("the prefix is not locked out: %v", err)
	}
	if p, err := a.Authenticate(ctx, good, "10.0.0.1"); err != nil || p.TokenID != 7 {
		t.Errorf("the owner, once known good: %+v, %v", p, err)
	}
}

func TestAnonymousBudget(t *testing.T) {
	a, c := newTestAuth(t, newFake(goodTokens()), testGuard)
	want := []error{ErrNoToken, ErrNoToken, ErrNoToken, ErrTooManyAnonymous, ErrTooManyAnonymous}
	for i, w := range want {
		if _, err := a.Authenticate(context.Background(), "", "10.0.0.1"); !errors.Is(err, w) {
			t.Errorf("request %d: %v; want %v", i+1, err, w)
		}
	}
	// Another address has its own budget; the first one's refills.
	if _, err := a.Authenticate(context.Background(), "", "10.0.0.2"); !errors.Is(err, ErrNoToken) {
		t.Errorf("another address: %v", err)
	}
	c.add(time.Second)
	if _, err := a.Authenticate(context.Background(), "", "10.0.0.1"); !errors.Is(err, ErrNoToken) {
		t.Errorf("a second later: %v", err)
	}
}

func TestLastUseMarkedOncePerMinute(t *testing.T) {
	f := newFake(goodTokens())
	g := testGuard
	g.Token = Budget{PerSecond: 1000, Burst: 1000}
	a, c := newTestAuth(t, f, g)
	steps := []struct {
		wait     time.Duration
		requests int
		marks    int64
	}{
		{0, 100, 1},
		{59 * time.Second, 100, 1},
		{time.Second, 1, 2},
		{30 * time.Second, 10, 2},
	}
	for i, s := range steps {
		c.add(s.wait)
		for range s.requests {
			if _, err := a.Authenticate(context.Background(), good, "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.marks.Load(); got != s.marks {
			t.Errorf("step %d: %d marks; want %d", i, got, s.marks)
		}
	}
}

// A flood of addresses cannot grow memory past the capacity, and the
// budget an address is spending survives fewer than capacity others.
func TestMemoryBoundedUnderAFlood(t *testing.T) {
	ctx := context.Background()
	g := testGuard
	g.Capacity = 50
	a, _ := newTestAuth(t, newFake(goodTokens()), g)
	for range g.Failures.Burst {
		a.Authenticate(ctx, guess, "10.9.9.9")
	}
	for i := range g.Capacity - 1 {
		a.Authenticate(ctx, "", fmt.Sprintf("10.1.%d.%d", i/256, i%256))
		a.Authenticate(ctx, fmt.Sprintf("kedja_X%05dz", i), fmt.Sprintf("10.1.%d.%d", i/256, i%256))
	}
	if _, err := a.Authenticate(ctx, "kedja_Y00000z", "10.9.9.9"); !errors.Is(err, ErrTooManyFailures) {
		t.Errorf("the spent address after a flood of %d others: %v", g.Capacity-1, err)
	}
	for i := range 20 * g.Capacity {
		a.Authenticate(ctx, "", fmt.Sprintf("10.2.%d.%d", i/256, i%256))
		a.Authenticate(ctx, fmt.Sprintf("kedja_Z%05dz", i), fmt.Sprintf("10.2.%d.%d", i/256, i%256))
	}
	for name, l := range map[string]*lru{"anonymous": a.anon, "addresses": a.addrs, "prefixes": a.prefixes} {
		if l.len() > g.Capacity {
			t.Errorf("%s: %d entries; capacity %d", name, l.len(), g.Capacity)
		}
	}
}

func TestAddressKey(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"IPv4", "203.0.113.7", "203.0.113.7"},
		{"IPv6By64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"SameSubscriber", "2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"MappedIPv4", "::ffff:203.0.113.7", "::ffff:203.0.113.7"},
		{"NotAnAddress", "pipe", "pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AddressKey(tt.in); got != tt.want {
				t.Errorf("AddressKey(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
