package portal

import (
	"sync"
	"time"
)

// throttle slows down guessing per client address: after a few failures,
// each further attempt must wait, doubling up to maxWait. Entries are
// forgotten after a quiet period; the map is bounded.
type throttle struct {
	mu      sync.Mutex
	clients map[string]*attempts
}

type attempts struct {
	fails int
	until time.Time // no attempt before this
	last  time.Time
}

const (
	freeAttempts = 3
	maxWait      = 5 * time.Minute
	forgetAfter  = time.Hour
	maxClients   = 100_000
)

func newThrottle() *throttle { return &throttle{clients: map[string]*attempts{}} }

func (t *throttle) wait(client string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.clients[client]
	if a == nil || !now.Before(a.until) {
		return 0
	}
	return a.until.Sub(now)
}

// fail records a failed attempt and returns how long the client must wait.
func (t *throttle) fail(client string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.clients[client]
	if a == nil || now.Sub(a.last) > forgetAfter {
		if len(t.clients) >= maxClients {
			t.prune(now)
		}
		a = &attempts{}
		t.clients[client] = a
	}
	a.fails++
	a.last = now
	if a.fails <= freeAttempts {
		return 0
	}
	wait := time.Second << min(a.fails-freeAttempts-1, 12)
	wait = min(wait, maxWait)
	a.until = now.Add(wait)
	return wait
}

// success records a successful sign-in. It does not forgive the client's
// failures: every commune holds a valid code, so "3 guesses, one good
// sign-in, again" must not reset the count (found by review). Failures are
// forgotten only after forgetAfter of quiet.
func (t *throttle) success(client string) {}

func (t *throttle) prune(now time.Time) {
	for k, a := range t.clients {
		if now.Sub(a.last) > forgetAfter || len(t.clients) >= maxClients {
			delete(t.clients, k)
		}
	}
}
