package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Defaults of the emulator.
const (
	DefaultSecretID  = "AKIDqcloudEmulator"
	DefaultSecretKey = "qcloud-emulator-secret"
	DefaultRegion    = "ap-guangzhou"
	DefaultTaskDelay = 300 * time.Millisecond
)

// APIVersion is the VPC API version served (CVM's is the same date; STS is
// STSAPIVersion).
const APIVersion = "2017-03-12"

// Credential is a SecretId/SecretKey pair the emulator accepts. A non-empty Token makes
// it a temporary credential: requests must then carry it in X-TC-Token.
type Credential struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"-"`
	Token     string `json:"-"`
}

// Options configure New. The zero value is usable: the default credential, tasks that
// finish at the next observation, no rate limits, the default world.
type Options struct {
	// Credentials accepted, as the permanent keys of the world's first account; they
	// replace the keys of World (and of a state loaded from StatePath). Empty means the
	// world's keys: the default world's is the default credential.
	Credentials []Credential
	// TaskDelay is how long Associate/Disassociate tasks run; 0 = they finish at the next
	// observation of the world.
	TaskDelay time.Duration
	RateLimit RateLimit
	// World is the initial world (copied); nil = DefaultWorld().
	World *World
	// Scale adds that many generated instances (ins-scNNNNNN, with ENIs) and UNBIND EIPs
	// (eip-scNNNNNN) to World.
	Scale int
	// StatePath, when set, is loaded at New if it exists (it then replaces World and
	// Scale) and rewritten atomically after every change.
	StatePath string
	// Now is the base of the emulator clock (AdvanceClock moves past it); nil = time.Now.
	Now func() time.Time
	// Logger, when set, gets one line per API request (action, result code, duration)
	// and reports state-file errors. It never sees credentials.
	Logger *log.Logger
	// Settings override those of World (and of a state loaded from StatePath); unset
	// fields keep the world's, and the world's unset ones take the defaults.
	Settings Settings
}

// DefaultOptions is what the standalone program runs with: the default credential,
// DefaultTaskDelay and the documented rate limits (DocumentedRateLimit).
func DefaultOptions() Options {
	return Options{
		Credentials: []Credential{{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}},
		TaskDelay:   DefaultTaskDelay,
		RateLimit:   DocumentedRateLimit(),
	}
}

// Emulator is an in-memory Tencent Cloud API: VPC (EIP subset), CVM DescribeInstances,
// STS, and the CVM metadata service. It is an http.Handler and safe for concurrent use.
type Emulator struct {
	now     func() time.Time // base of the emulator clock
	wallNow func() time.Time // real time, for signature skew
	// sleep waits out an injected delay (sleepContext; tests replace it to stay off
	// the real clock).
	sleep  func(ctx context.Context, d time.Duration) bool
	logger *log.Logger

	initial          World // what Reset restores
	initialTaskDelay time.Duration
	initialRateLimit RateLimit
	statePath        string

	mu        sync.Mutex // guards everything below
	world     *World
	taskDelay time.Duration
	rateLimit RateLimit
	limiter   rateLimiter
	faults    []*activeFault
	stats     statsRecorder
	dirty     bool  // the world changed since the last save
	saveErr   error // the last state-file error, reported by Close
}

// New builds an emulator. It fails on an invalid world, an invalid or unreadable state
// file, or invalid credentials.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		now:              opts.Now,
		wallNow:          time.Now,
		sleep:            sleepContext,
		logger:           opts.Logger,
		statePath:        opts.StatePath,
		taskDelay:        max(opts.TaskDelay, 0),
		rateLimit:        opts.RateLimit.clone(),
		initialTaskDelay: max(opts.TaskDelay, 0),
		initialRateLimit: opts.RateLimit.clone(),
	}
	if e.now == nil {
		e.now = time.Now
	}
	seen := map[string]bool{}
	for _, c := range opts.Credentials {
		if c.SecretID == "" || c.SecretKey == "" {
			return nil, errors.New("emulator: every credential needs a SecretID and a SecretKey")
		}
		if strings.ContainsAny(c.SecretID, "/, ") {
			return nil, errors.New("emulator: SecretID must not contain '/', ',' or spaces")
		}
		if seen[c.SecretID] {
			return nil, errors.New("emulator: a SecretID is configured twice")
		}
		seen[c.SecretID] = true
	}
	if err := validRateLimit(opts.RateLimit); err != nil {
		return nil, err
	}

	if err := opts.Settings.validate(); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	initial := DefaultWorld()
	if opts.World != nil {
		c := opts.World.clone()
		initial = &c
	}
	initial.Settings = initial.Settings.overlay(opts.Settings)
	initial.normalize() // fills in the quotas addScale adjusts, and the accounts
	initial.useCredentials(opts.Credentials)
	if err := initial.addScale(opts.Scale); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	initial.normalize() // sorts what addScale appended
	if err := initial.validate(); err != nil {
		return nil, fmt.Errorf("emulator: invalid world: %w", err)
	}
	e.initial = initial.clone()

	world := initial
	if opts.StatePath != "" {
		loaded, err := loadState(opts.StatePath)
		if err != nil {
			return nil, fmt.Errorf("emulator: state %s: %w", opts.StatePath, err)
		}
		if loaded != nil {
			loaded.Settings = loaded.Settings.overlay(opts.Settings)
			loaded.useCredentials(opts.Credentials)
			if err := loaded.validate(); err != nil {
				return nil, fmt.Errorf("emulator: state %s: %w", opts.StatePath, err)
			}
			world = loaded
		}
	}
	e.world = world
	e.limiter.reset()
	e.stats.reset()

	e.mu.Lock()
	defer e.mu.Unlock()
	e.observe()
	e.dirty = true // write the state file now, so it exists from the start
	e.commit()
	if e.saveErr != nil {
		return nil, fmt.Errorf("emulator: %w", e.saveErr)
	}
	return e, nil
}

// ServeHTTP serves the Tencent Cloud API on "/", the CVM metadata service under
// "/latest/meta-data/" and the control surface on "/_emulator/".
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == controlPrefix[:len(controlPrefix)-1] || strings.HasPrefix(r.URL.Path, controlPrefix):
		e.serveControl(w, r)
	case strings.HasPrefix(r.URL.Path, metadataPrefix):
		e.serveMetadata(w, r)
	default:
		e.serveAPI(w, r)
	}
}

// useCredentials makes creds (when given) the world's keys, keys of its first account.
func (w *World) useCredentials(creds []Credential) {
	if len(creds) == 0 {
		return
	}
	w.Keys = w.Keys[:0:0]
	for _, c := range creds {
		w.Keys = append(w.Keys, Key{SecretID: c.SecretID, SecretKey: c.SecretKey, Token: c.Token, AccountID: w.Accounts[0].AccountID})
	}
}

// Close writes the state file one last time and reports the last error writing it.
func (e *Emulator) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.observe()
	e.dirty = true
	e.commit()
	return e.saveErr
}

// clock is the emulator's time: Options.Now plus what AdvanceClock added. Callers hold mu.
func (e *Emulator) clock() time.Time {
	return e.now().Add(time.Duration(e.world.ClockOffset))
}

// observe brings the world up to the current clock — daily quotas roll over, finished
// tasks settle — and returns that time. Every read or write of the world starts with it.
// Callers hold mu.
func (e *Emulator) observe() time.Time {
	now := e.clock()
	if e.rollQuotaDay(now) {
		e.dirty = true
	}
	if e.settleTasks(now) {
		e.dirty = true
	}
	if q := findQuota(e.world.Quotas, QuotaTotalEIP); q != nil {
		if n := int64(e.world.countEIPs()); q.Current != n {
			q.Current = n
			e.dirty = true
		}
	}
	return now
}

// commit persists the world if it changed. Callers hold mu.
func (e *Emulator) commit() {
	if !e.dirty || e.statePath == "" {
		e.dirty = false
		return
	}
	e.dirty = false
	if err := saveState(e.statePath, e.world); err != nil {
		e.saveErr = err
		e.logf("state: %v", err)
		return
	}
	e.saveErr = nil
}

// quotaLocation is UTC+8 (China Standard Time): daily quotas reset at its midnight.
var quotaLocation = time.FixedZone("UTC+8", 8*60*60)

func quotaDay(t time.Time) string { return t.In(quotaLocation).Format(time.DateOnly) }

// rollQuotaDay resets the DAILY_* counters when the UTC+8 date has changed.
func (e *Emulator) rollQuotaDay(now time.Time) bool {
	day := quotaDay(now)
	switch e.world.QuotaDay {
	case day:
		return false
	case "":
		// A fresh world: its counters belong to today.
	default:
		for i := range e.world.Quotas {
			if strings.HasPrefix(e.world.Quotas[i].QuotaID, "DAILY_") {
				e.world.Quotas[i].Current = 0
			}
		}
	}
	e.world.QuotaDay = day
	return true
}

func (e *Emulator) logf(format string, args ...any) {
	if e.logger != nil {
		e.logger.Printf(format, args...)
	}
}

// loadState reads a persisted world; a missing file is (nil, nil).
func loadState(path string) (*World, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseWorld(b)
}

// ParseWorld decodes and checks a World JSON document (a -world file or a state file).
// Unknown fields are errors, so that a misspelt field is not silently ignored.
func ParseWorld(b []byte) (*World, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w World
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("not a world JSON document: %w", err)
	}
	w.normalize()
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("invalid world: %w", err)
	}
	return &w, nil
}

// saveState writes the world atomically: a temporary file in the same directory renamed
// over the old one, so a crash of the process leaves either the old or the new state.
// It does not fsync: the state is a test fixture, and it is written after every change.
func saveState(path string, w *World) error {
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
