package app

import (
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
)

// TokenCacheTTL is how long an API token's actor is remembered. Every API
// call authenticates, and looking a token up costs several queries (token,
// user, territories), a large share of a check-in's time. Revoking a token,
// changing or deleting a user through this service forgets the cache at
// once; a change made by another process (another replica, the CLI) is
// honoured within TokenCacheTTL.
const TokenCacheTTL = 5 * time.Second

type tokenEntry struct {
	actor   *auth.Actor
	expires time.Time
}

type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenEntry // by token hash, never the secret
}

func (s *Service) tokenCache() *tokenCache { return &s.tokens }

// cachedToken returns the remembered actor of a token hash, or nil.
func (s *Service) cachedToken(hash string) *auth.Actor {
	c := s.tokenCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok {
		return nil
	}
	if time.Now().After(e.expires) {
		delete(c.m, hash)
		return nil
	}
	return e.actor
}

func (s *Service) cacheToken(hash string, a *auth.Actor) {
	c := s.tokenCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]tokenEntry{}
	}
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[hash] = tokenEntry{actor: a, expires: time.Now().Add(TokenCacheTTL)}
}

// forgetTokens empties the cache: after a revocation or a change to a user.
func (s *Service) forgetTokens() {
	c := s.tokenCache()
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
