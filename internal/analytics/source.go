package analytics

import "context"

// Source is what the analyses read from storage.
type Source interface {
	// EachAnalyticsRow calls fn for every interaction in id order with its
	// account, time (Unix ms), the encoded fields as raw bytes (valid only
	// during the call) and value.
	EachAnalyticsRow(ctx context.Context, fn func(accountID, atMS int64, fields *[6][]byte, value float64) error) error
	// EachAnalyticsProperty calls fn with custom property name of every
	// interaction in id order ("" when absent).
	EachAnalyticsProperty(ctx context.Context, name string, fn func(value string) error) error
	// InteractionsVersion changes whenever an interaction is added.
	InteractionsVersion(ctx context.Context) (string, error)
}

// Load reads every interaction from src into Events.
func Load(ctx context.Context, src Source) (*Events, error) {
	b := NewBuilder(0)
	err := src.EachAnalyticsRow(ctx, func(acct, at int64, fields *[6][]byte, value float64) error {
		var c Combo
		for f := range c {
			c[f] = b.CodeBytes(f, fields[f])
		}
		b.AddCodes(acct, at, c, value)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.Build(), nil
}

// LoadProperty reads custom property name into ev.
func LoadProperty(ctx context.Context, src Source, ev *Events, name string) error {
	vals := make([]string, 0, ev.Len())
	if err := src.EachAnalyticsProperty(ctx, name, func(v string) error {
		vals = append(vals, v)
		return nil
	}); err != nil {
		return err
	}
	return ev.SetProperty(name, vals)
}
