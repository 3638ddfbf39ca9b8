package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/analytics"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geocode"
	"github.com/meridian-crm/meridian/internal/plan"
	"github.com/meridian-crm/meridian/internal/territory"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Store is everything the services need from storage.
type Store interface {
	account.Store
	territory.Store
	territory.DesignStore // balance history (issue 8)
	visit.Store
	analytics.Source
	visit.PingStore // pings, tracking, automatic visits, rep activity (issue 5)
	plan.Store      // route plans (issue 4)
	RulesStore      // re-engagement rules, notifications, overlays (issue 5)
	JourneyStore    // personas, journeys and versions (issue 6)
	auth.Store
	// Setting returns the JSON stored under key, or NotFound.
	Setting(ctx context.Context, key string) (string, error)
	// SetSetting stores JSON under key.
	SetSetting(ctx context.Context, key, value string) error
}

// Config holds the services' tunables.
type Config struct {
	// SessionTTL is how long a browser stays signed in.
	SessionTTL time.Duration
	// SignInWindow and the limits bound failed sign-ins per email and per IP.
	SignInWindow        time.Duration
	MaxFailuresPerEmail int
	MaxFailuresPerIP    int
}

// DefaultConfig is what `meridian serve` uses unless told otherwise.
func DefaultConfig() Config {
	return Config{SessionTTL: 7 * 24 * time.Hour, SignInWindow: 15 * time.Minute, MaxFailuresPerEmail: 5, MaxFailuresPerIP: 30}
}

// Service is Meridian's application layer.
type Service struct {
	Store    Store
	Geocoder geocode.Geocoder // may be nil: rows without coordinates stay unplaced
	Log      *slog.Logger
	Config   Config
	Now      func() time.Time
	Notifier Notifier // sends rule webhooks and email; nil sends none (rules.go)

	mu       sync.Mutex
	terrs    []*territory.Territory // cached, as of terrVer
	terrIx   *territory.Index
	terrVer  string
	pipeline *account.Pipeline
	mapIx    mapIndexer

	// Per-feature state; each zero value is ready to use.
	field     fieldState       // outcome list and field settings (field.go)
	plans     planState        // travel matrix for route plans (routes_plan.go)
	tokens    tokenCache       // recently checked API tokens (tokencache.go)
	analytics analyticsIndexer // interaction columns (analytics_index.go)
}

// New returns a service over store.
func New(store Store, geocoder geocode.Geocoder, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: store, Geocoder: geocoder, Log: log, Config: DefaultConfig(), Now: time.Now}
}

// Init prepares a new database: the default pipeline when none is set.
func (s *Service) Init(ctx context.Context) error {
	stages, err := s.Store.Pipeline(ctx)
	if err != nil {
		return err
	}
	if len(stages) == 0 {
		return s.Store.SetPipeline(ctx, account.DefaultPipeline())
	}
	return nil
}

// Pipeline returns the configured stages (cached).
func (s *Service) Pipeline(ctx context.Context) (*account.Pipeline, error) {
	s.mu.Lock()
	p := s.pipeline
	s.mu.Unlock()
	if p != nil {
		return p, nil
	}
	stages, err := s.Store.Pipeline(ctx)
	if err != nil {
		return nil, err
	}
	if len(stages) == 0 {
		stages = account.DefaultPipeline()
	}
	p = account.NewPipeline(stages)
	s.mu.Lock()
	s.pipeline = p
	s.mu.Unlock()
	return p, nil
}

// SetPipeline replaces the stages (admins only).
func (s *Service) SetPipeline(ctx context.Context, actor *auth.Actor, stages []account.Stage) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	if err := account.ValidatePipeline(stages); err != nil {
		return err
	}
	if err := s.Store.SetPipeline(ctx, stages); err != nil {
		return err
	}
	s.mu.Lock()
	s.pipeline = nil
	s.mu.Unlock()
	s.audit(ctx, actor, "pipeline.update", "stages", "")
	return nil
}

// settingStageMap is where the organisation's CRM stage table is kept.
const settingStageMap = "stage_map"

// StageMap returns the CRM value → stage table: the defaults overlaid with
// the organisation's own entries.
func (s *Service) StageMap(ctx context.Context) (map[string]string, error) {
	m := account.DefaultStageMap()
	raw, err := s.Store.Setting(ctx, settingStageMap)
	if derrors.Is(err, derrors.NotFound) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	var own map[string]string
	if err := json.Unmarshal([]byte(raw), &own); err != nil {
		return nil, err
	}
	for k, v := range own {
		m[account.NormalizeLabel(k)] = v
	}
	return m, nil
}

// SetStageMap stores the organisation's CRM value → stage entries (managers).
func (s *Service) SetStageMap(ctx context.Context, actor *auth.Actor, m map[string]string) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	p, err := s.Pipeline(ctx)
	if err != nil {
		return err
	}
	for k, v := range m {
		if err := p.CheckStage("stage_map["+k+"]", v); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(m)
	return s.Store.SetSetting(ctx, settingStageMap, string(b))
}

// territories returns all territories and their index. They are cached and
// checked against the store's version on each call (one cheap query), so a
// change made by another process (a CLI import, another replica) is seen at
// once.
func (s *Service) territories(ctx context.Context) ([]*territory.Territory, *territory.Index, error) {
	ver, err := s.Store.TerritoriesVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	ts, ix, cached := s.terrs, s.terrIx, s.terrVer
	s.mu.Unlock()
	if ts != nil && cached == ver {
		return ts, ix, nil
	}
	ts, err = s.Store.ListTerritories(ctx)
	if err != nil {
		return nil, nil, err
	}
	ix = territory.NewIndex(ts)
	s.mu.Lock()
	s.terrs, s.terrIx, s.terrVer = ts, ix, ver
	s.mu.Unlock()
	return ts, ix, nil
}

func (s *Service) invalidateTerritories() {
	s.mu.Lock()
	s.terrs, s.terrIx, s.terrVer = nil, nil, ""
	s.mu.Unlock()
}

// audit records an action; a failure to record is logged, not returned, so
// the action the user asked for is not undone by it.
func (s *Service) audit(ctx context.Context, actor *auth.Actor, action, target, detail string) {
	e := &auth.AuditEntry{At: s.Now(), Action: action, Target: target, Detail: detail, IP: ipFrom(ctx)}
	if actor != nil && actor.User != nil {
		e.ActorID = actor.User.ID
	}
	if err := s.Store.AddAudit(ctx, e); err != nil {
		s.Log.Error("audit", "action", action, "err", err)
	}
}

type ipKey struct{}

// WithIP returns a context that carries the caller's IP address for the
// audit log and sign-in limits.
func WithIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

func ipFrom(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}

// Ping checks the database.
func (s *Service) Ping(ctx context.Context) error {
	_, err := s.Store.Pipeline(ctx)
	return err
}
