package geocode

import (
	"container/list"
	"context"
	"strings"
	"sync"
)

// DefaultCacheSize is the number of answers a Cache keeps when asked for a
// size below 1.
const DefaultCacheSize = 10000

// Cache remembers the answers of a geocoder, found places and "not found"
// alike, for the most recently asked addresses. Failures are not remembered.
// Addresses that differ only in case, accents, punctuation or spacing, or
// that name a country differently ("US", "USA"), share an answer.
//
// Concurrent calls for the same address ask the geocoder once.
type Cache struct {
	g    Geocoder
	size int

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	lru     list.List                // most recently used first
	flying  map[string]*flight

	stats counters
}

type cacheEntry struct {
	key string
	res Result
	err error // nil or NotFound
}

// flight is a call in progress that other callers of the same key wait for.
type flight struct {
	done chan struct{}
	res  Result
	err  error
}

// Cached returns g with a cache of the answers for the size most recently
// asked addresses. Put it outside RateLimited, so that answers from memory
// do not wait their turn.
func Cached(g Geocoder, size int) *Cache {
	if size < 1 {
		size = DefaultCacheSize
	}
	return &Cache{g: g, size: size, entries: map[string]*list.Element{}, flying: map[string]*flight{}}
}

// Geocode answers from the cache, or asks the geocoder and remembers a found
// place or a NotFound.
func (c *Cache) Geocode(ctx context.Context, q Query) (Result, error) {
	res, err, cached := c.geocode(ctx, q)
	c.stats.record(err)
	if cached {
		c.stats.cached.Add(1)
	}
	return res, err
}

// Stats returns the counters of c; Cached counts the answers from memory.
func (c *Cache) Stats() Stats { return c.stats.snapshot() }

// Len is the number of answers remembered.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *Cache) geocode(ctx context.Context, q Query) (res Result, err error, cached bool) {
	k := cacheKey(q)
	c.mu.Lock()
	if el, ok := c.entries[k]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		c.mu.Unlock()
		return e.res, e.err, true
	}
	if f, ok := c.flying[k]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return Result{}, ctx.Err(), false
		}
		if f.err == nil || isNotFound(f.err) {
			return f.res, f.err, true
		}
		// The call failed, perhaps of its caller's cancellation: ask anew.
		return c.geocode(ctx, q)
	}
	f := &flight{done: make(chan struct{})}
	c.flying[k] = f
	c.mu.Unlock()

	f.res, f.err = c.g.Geocode(ctx, q)

	c.mu.Lock()
	delete(c.flying, k)
	if f.err == nil || isNotFound(f.err) {
		c.entries[k] = c.lru.PushFront(&cacheEntry{key: k, res: f.res, err: f.err})
		for c.lru.Len() > c.size {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.entries, old.Value.(*cacheEntry).key)
		}
	}
	c.mu.Unlock()
	close(f.done)
	return f.res, f.err, false
}

// cacheKey is the normalised form of q: each field folded, the country as its
// ISO code when known, a US ZIP as its five digits (the +4 refines a delivery
// route, not the place).
func cacheKey(q Query) string {
	country := fold(q.Country)
	if cc, ok := countryCode(q.Country); ok {
		country = cc
	}
	postal := fold(q.PostalCode)
	if country == "" || country == "US" {
		if z, ok := parseZIP(q.PostalCode); ok {
			postal = zipString(z)
		}
	}
	return strings.Join([]string{fold(q.Street), fold(q.City), fold(q.Region), postal, country}, "\x1f")
}
