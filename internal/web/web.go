package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed static
var staticFiles embed.FS

// ContentSecurityPolicy is the Content-Security-Policy header sent with every
// response: only this origin's scripts, styles, images (plus data: and blob:
// URLs), API calls and workers; no inline script or style, no plugins, and
// no framing by other sites.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self'; " +
	"style-src 'self'; " +
	"img-src 'self' data: blob:; " +
	"font-src 'self'; " +
	"connect-src 'self'; " +
	"worker-src 'self' blob:; " +
	"object-src 'none'; " +
	"base-uri 'self'; " +
	"form-action 'self'; " +
	"frame-ancestors 'none'"

// Cache-Control values.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// versionPrefix starts the path segment that marks a versioned asset URL,
// /static/v-VERSION/PATH.
const versionPrefix = "v-"

// asset is one embedded file, ready to serve.
type asset struct {
	body  []byte
	gz    []byte // gzip-compressed body; nil when compressing does not pay
	ctype string
	etag  string // strong ETag of body; the gzip variant appends "-gz"
}

// site is the loaded static directory.
type site struct {
	version string            // hash of every file, in versioned asset URLs
	assets  map[string]*asset // by path under static/, e.g. "js/app.js"
	csp     string            // the Content-Security-Policy header
}

var loadSite = sync.OnceValues(func() (*site, error) { return load(staticFiles) })

// Handler returns the handler of the web UI: the app at /, the sign-in page
// at /login and the files of the static directory under /static/, with
// security headers on every response. It answers 404 to any other path, and
// 405 to methods other than GET and HEAD. It panics if the embedded files
// cannot be read, which only a broken build can cause.
func Handler() http.Handler {
	s, err := loadSite()
	if err != nil {
		panic(err)
	}
	return s
}

// HandlerAllowing is Handler with the Content-Security-Policy widened to let
// the map fetch tiles and images from the given origins (an online basemap
// or satellite source, such as "https://tiles.example.com").
func HandlerAllowing(origins ...string) http.Handler {
	s, err := loadSite()
	if err != nil {
		panic(err)
	}
	if len(origins) == 0 {
		return s
	}
	extra := " " + strings.Join(origins, " ")
	cp := *s
	cp.csp = strings.NewReplacer("img-src 'self' data: blob:;", "img-src 'self' data: blob:"+extra+";",
		"connect-src 'self';", "connect-src 'self'"+extra+";").Replace(ContentSecurityPolicy)
	return &cp
}

// Page returns a page of the UI as it is served, for example "app.html" or
// "login.html": asset references in it point at the current versioned URLs.
// It returns an error wrapping fs.ErrNotExist for an unknown page.
func Page(name string) ([]byte, error) {
	s, err := loadSite()
	if err != nil {
		return nil, err
	}
	a, ok := s.assets[name]
	if !ok || !strings.HasSuffix(name, ".html") {
		return nil, fmt.Errorf("web: page %q: %w", name, fs.ErrNotExist)
	}
	return bytes.Clone(a.body), nil
}

// Version returns the version of the embedded UI: a hash of all its files,
// which changes whenever any of them does.
func Version() string {
	s, err := loadSite()
	if err != nil {
		return ""
	}
	return s.version
}

// load reads every file under static/ of fsys, computes the version, points
// the HTML pages' asset references at versioned URLs and precompresses what
// is worth it.
func load(fsys fs.FS) (*site, error) {
	root, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		files[p] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading embedded files: %w", err)
	}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, p := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	s := &site{version: hex.EncodeToString(h.Sum(nil))[:12], assets: map[string]*asset{}}
	for _, p := range names {
		b := files[p]
		if path.Ext(p) == ".html" {
			// Pages refer to assets as "/static/PATH"; serve them
			// "/static/v-VERSION/PATH" so browsers may cache those for good.
			b = bytes.ReplaceAll(b, []byte(`"/static/`), []byte(`"/static/`+versionPrefix+s.version+`/`))
		}
		s.assets[p] = newAsset(p, b)
	}
	return s, nil
}

func newAsset(name string, body []byte) *asset {
	sum := sha256.Sum256(body)
	a := &asset{body: body, ctype: contentType(name), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	if compressible(a.ctype) && len(body) >= 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body)*9/10 {
			a.gz = buf.Bytes()
		}
	}
	return a
}

// contentTypes fixes the types of what the UI ships, whatever the system's
// MIME tables say: browsers refuse ES modules that are not served as
// JavaScript.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".txt":         "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".pbf":         "application/x-protobuf",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") ||
		strings.HasPrefix(ctype, "image/svg") ||
		strings.Contains(ctype, "json")
}

// setSecurityHeaders sets the headers every response carries.
func (s *site) setSecurityHeaders(h http.Header) {
	csp := s.csp
	if csp == "" {
		csp = ContentSecurityPolicy
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// ServeHTTP implements http.Handler.
func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.setSecurityHeaders(w.Header())
	p := r.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		// The API server hands the UI every path it has no route for.
		apiNotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case p == "/":
		s.serve(w, r, "app.html", cacheRevalidate)
	case p == "/login":
		s.serve(w, r, "login.html", cacheRevalidate)
	case strings.HasPrefix(p, "/static/"):
		name, version := splitVersion(strings.TrimPrefix(p, "/static/"))
		cache := cacheRevalidate
		if version == s.version {
			cache = cacheImmutable
		}
		// An older or newer version (a page from before a deploy, or
		// another instance) still gets the current file, but it must not
		// be cached for good under that URL.
		s.serve(w, r, name, cache)
	default:
		s.notFound(w, r)
	}
}

// splitVersion splits "v-VERSION/PATH" into PATH and VERSION; other paths
// come back whole with no version.
func splitVersion(rel string) (name, version string) {
	first, rest, ok := strings.Cut(rel, "/")
	if ok && strings.HasPrefix(first, versionPrefix) && len(first) > len(versionPrefix) {
		return rest, strings.TrimPrefix(first, versionPrefix)
	}
	return rel, ""
}

// serve writes the asset called name, or 404.
func (s *site) serve(w http.ResponseWriter, r *http.Request, name, cache string) {
	a, ok := s.assets[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cache)
	body, etag := a.body, a.etag
	if a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match with 304, and ranges and HEAD.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip:
// it names gzip, or *, with a quality above zero.
func acceptsGzip(r *http.Request) bool {
	star := false
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			q := 1.0
			if k, v, ok := strings.Cut(params, "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
			switch coding {
			case "gzip":
				return q > 0
			case "*":
				star = q > 0
			}
		}
	}
	return star
}

// notFound answers 404 with a small page linking back to the app.
func (s *site) notFound(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Del("ETag")
	h.Del("Vary")
	h.Del("Content-Encoding")
	h.Set("Cache-Control", cacheRevalidate)
	a, ok := s.assets["404.html"]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", fmt.Sprint(len(a.body)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.body)
	}
}

// apiNotFound answers 404 in the API's error shape.
func apiNotFound(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	body.Error.Code = "not_found"
	body.Error.Message = fmt.Sprintf("no API route for %s %s", r.Method, r.URL.Path)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", cacheRevalidate)
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(body)
}
