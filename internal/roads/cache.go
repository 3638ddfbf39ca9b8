package roads

import (
	"container/list"
	"math"
	"sync"

	"github.com/meridian-crm/meridian/internal/geo"
)

// pointKey is a position rounded to 1e-5 degrees (about a metre): places
// closer than that share travel times.
type pointKey struct{ lon, lat int32 }

func keyOf(p geo.Point) pointKey {
	return pointKey{lon: int32(math.Round(p.Lon * 1e5)), lat: int32(math.Round(p.Lat * 1e5))}
}

type cacheKey struct {
	provider string
	from, to pointKey
}

type entry struct{ dist, dur float64 }

type cacheItem struct {
	key cacheKey
	val entry
}

// Cache is a least-recently-used cache of travel between pairs of places,
// keyed by the provider and the rounded coordinates. It is safe for
// concurrent use.
type Cache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[cacheKey]*list.Element
}

// NewCache returns a cache holding at most max pairs.
func NewCache(max int) *Cache {
	return &Cache{max: max, ll: list.New(), items: map[cacheKey]*list.Element{}}
}

func (c *Cache) get(provider string, from, to pointKey) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[cacheKey{provider, from, to}]
	if !ok {
		return entry{}, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*cacheItem).val, true
}

func (c *Cache) put(provider string, from, to pointKey, v entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{provider, from, to}
	if el, ok := c.items[k]; ok {
		el.Value.(*cacheItem).val = v
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&cacheItem{key: k, val: v})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheItem).key)
	}
}

// Len says how many pairs the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
