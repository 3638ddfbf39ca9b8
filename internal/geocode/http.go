package geocode

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// DefaultTimeout bounds one request to an online geocoder, so that a service
// that hangs costs an import seconds, not minutes.
const DefaultTimeout = 5 * time.Second

// DefaultUserAgent identifies Meridian to online geocoders, as Nominatim's
// usage policy requires. Operators may add a contact address.
const DefaultUserAgent = "Meridian-CRM-geocoder/1.0 (self-hosted; +https://github.com/meridian-crm/meridian)"

// maxResponse bounds the size of a geocoder's answer that is read.
const maxResponse = 4 << 20

func defaultClient() *http.Client { return &http.Client{Timeout: DefaultTimeout} }

// getJSON fetches base+path?query and decodes its JSON body into v.
func getJSON(ctx context.Context, client *http.Client, userAgent, base, path string, query url.Values, v any) error {
	u := strings.TrimRight(base, "/") + path + "?" + query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("geocoder URL %q: %w", base, err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if client == nil {
		client = defaultClient()
	}
	resp, err := client.Do(req)
	if err != nil {
		return err // a *url.Error naming the URL
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, maxResponse)
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(body, 200))
		err := fmt.Errorf("GET %s: %s: %s", redact(u), resp.Status, strings.TrimSpace(string(snippet)))
		if resp.StatusCode == http.StatusTooManyRequests {
			return &derrors.Error{Kind: derrors.TooMany, Message: "the geocoder refuses more requests for now", Err: err}
		}
		return err
	}
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: reading the answer: %w", redact(u), err)
	}
	return nil
}

// redact drops the query, which holds a customer's address, from a URL put
// in an error message that may be logged.
func redact(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}
