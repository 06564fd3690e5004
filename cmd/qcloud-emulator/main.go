// Command qcloud-emulator serves a local stand-in for the Tencent Cloud API — VPC (EIP
// subset), CVM DescribeInstances, STS and the CVM metadata service, all at one address —
// for the provider's tests, `make demo` and `make bench`.
//
//	qcloud-emulator -listen 127.0.0.1:0 -secret-id ID -secret-key KEY
//
// The first line of standard output is the URL it serves on (e.g. http://127.0.0.1:9010);
// point a client's endpoint at its host:port with scheme http. The control surface is
// under /_emulator/ (loopback clients only). SIGINT or SIGTERM shut it down gracefully,
// writing the -state file one last time. README.md beside this file is its manual: flags,
// world files, control surface, faults, settings, and the documented rules it follows.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// run is the program: it serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, errReported) {
		return exitUsage
	}
	if err != nil {
		return fail(stderr, exitUsage, err)
	}

	opts, err := cfg.options(stderr)
	if err != nil {
		return fail(stderr, exitUsage, err)
	}
	if cfg.dumpWorld {
		opts.StatePath = "" // dumping must not create or read a state file
		return dumpWorld(opts, stdout, stderr)
	}

	emu, err := emulator.New(opts)
	if err != nil {
		return fail(stderr, exitError, err)
	}
	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fail(stderr, exitError, err)
	}
	url := "http://" + dialableAddr(listener.Addr())
	// The URL must be the first line of stdout: scripts and tests read it to find the port.
	fmt.Fprintln(stdout, url)
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(stderr, "qcloud-emulator: Tencent Cloud API (VPC %s EIP subset, CVM %s DescribeInstances, STS %s) on %s, region %s; metadata %s/latest/meta-data/; control surface %s/_emulator/\n",
		emulator.APIVersion, emulator.CVMAPIVersion, emulator.STSAPIVersion, url, emu.Snapshot().Region, url, url)

	// Request contexts derive from baseCtx, so shutting down also ends injected delays.
	baseCtx, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	srv := &http.Server{
		Handler:           emu,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // bodies may be up to 10 MB
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		// No WriteTimeout: an injected delay must be able to outlast the client's timeout.
		BaseContext: func(net.Listener) context.Context { return baseCtx },
		ErrorLog:    log.New(stderr, "qcloud-emulator: http: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()

	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "qcloud-emulator: %v\n", err)
		code = exitError
	}
	cancelRequests()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := emu.Close(); err != nil {
		fmt.Fprintf(stderr, "qcloud-emulator: writing state: %v\n", err)
		code = exitError
	}
	if code == exitOK {
		fmt.Fprintln(stderr, "qcloud-emulator: stopped")
	}
	return code
}

// fail reports err on stderr and returns the exit code.
func fail(stderr io.Writer, code int, err error) int {
	fmt.Fprintf(stderr, "qcloud-emulator: %v\n", err)
	return code
}

// errReported is a command-line error already shown to the user.
var errReported = errors.New("invalid command line")

// config is the parsed command line.
type config struct {
	listen, secretID, secretKey, token, region, worldFile, statePath string
	scale                                                            int
	taskDelay                                                        time.Duration
	rateLimit                                                        emulator.RateLimit
	settings                                                         emulator.Settings
	dumpWorld, verbose                                               bool
	// credentialFlags: -secret-id, -secret-key or -security-token was given, so the
	// credential replaces the world's keys.
	credentialFlags bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{rateLimit: emulator.DefaultOptions().RateLimit}
	fs := flag.NewFlagSet("qcloud-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:9010", "address to listen on; a bare :PORT listens on loopback")
	fs.StringVar(&cfg.secretID, "secret-id", emulator.DefaultSecretID,
		"SecretId clients must sign with; given (or -secret-key, -security-token), it replaces the world's keys as the one key of its first account")
	fs.StringVar(&cfg.secretKey, "secret-key", emulator.DefaultSecretKey, "SecretKey clients must sign with")
	fs.StringVar(&cfg.token, "security-token", "", "if set, the credential is temporary and requests must carry this X-TC-Token")
	fs.StringVar(&cfg.region, "region", "", "region the world lives in (default: the world's own, "+emulator.DefaultRegion+" for the built-in world)")
	fs.StringVar(&cfg.worldFile, "world", "", "JSON world file to start from instead of the built-in world")
	fs.StringVar(&cfg.statePath, "state", "", "state file: loaded at start if it exists, rewritten after every change")
	fs.IntVar(&cfg.scale, "scale", 0, "add N generated instances (ins-scNNNNNN) and UNBIND EIPs (eip-scNNNNNN)")
	fs.DurationVar(&cfg.taskDelay, "task-delay", emulator.DefaultTaskDelay, "how long AssociateAddress/DisassociateAddress tasks run")
	fs.Var((*rateLimitFlag)(&cfg.rateLimit), "rate-limit",
		"limits per action per SecretId in requests/s, comma-separated parts applied in order: write=N (write actions), read=N (Describe* actions), "+
			"ACTION=N (one action), scale=F (multiplies every limit), off (no limits), documented (the documented limits, the default)")
	for _, info := range emulator.SettingsInfo() {
		fs.Var(settingFlag{settings: &cfg.settings, key: info.Key}, info.Flag,
			fmt.Sprintf("%s: %s (default: the world file's, else %s)", info.Usage, info.Choices(), info.Default()))
	}
	fs.BoolVar(&cfg.dumpWorld, "dump-world", false, "print the world JSON the other flags describe and exit")
	fs.BoolVar(&cfg.verbose, "v", false, "log one line per API request to stderr (action, result code, duration)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errReported // the flag package has printed the problem and the usage
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "secret-id", "secret-key", "security-token":
			cfg.credentialFlags = true
		}
	})
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q (all options are flags; see -h)", fs.Arg(0))
	case cfg.secretID == "" || cfg.secretKey == "":
		return cfg, errors.New("-secret-id and -secret-key must not be empty")
	case cfg.scale < 0:
		return cfg, errors.New("-scale must not be negative")
	case cfg.taskDelay < 0:
		return cfg, errors.New("-task-delay must not be negative")
	}
	host, port, err := net.SplitHostPort(cfg.listen)
	if err != nil {
		return cfg, fmt.Errorf("-listen %q: want HOST:PORT or :PORT", cfg.listen)
	}
	host = cmp.Or(host, "127.0.0.1") // loopback unless another address is named
	cfg.listen = net.JoinHostPort(host, port)
	return cfg, nil
}

// options turns the configuration into emulator options.
func (cfg config) options(stderr io.Writer) (emulator.Options, error) {
	opts := emulator.Options{
		TaskDelay: cfg.taskDelay,
		RateLimit: cfg.rateLimit,
		Scale:     cfg.scale,
		StatePath: cfg.statePath,
		Settings:  cfg.settings,
	}
	if cfg.credentialFlags {
		opts.Credentials = []emulator.Credential{{SecretID: cfg.secretID, SecretKey: cfg.secretKey, Token: cfg.token}}
	}
	world := emulator.DefaultWorld()
	if cfg.worldFile != "" {
		b, err := os.ReadFile(cfg.worldFile)
		if err != nil {
			return opts, fmt.Errorf("-world: %w", err)
		}
		if world, err = emulator.ParseWorld(b); err != nil {
			return opts, fmt.Errorf("-world %s: %w", cfg.worldFile, err)
		}
	}
	if cfg.region != "" {
		world.Region = cfg.region
	}
	opts.World = world
	if cfg.verbose {
		opts.Logger = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	}
	return opts, nil
}

func dumpWorld(opts emulator.Options, stdout, stderr io.Writer) int {
	emu, err := emulator.New(opts)
	if err != nil {
		return fail(stderr, exitError, err)
	}
	b, err := json.MarshalIndent(emu.Snapshot(), "", "  ")
	if err != nil {
		return fail(stderr, exitError, err)
	}
	_, _ = stdout.Write(append(b, '\n'))
	return exitOK
}

// dialableAddr is the listener address a local client can dial: an unspecified host
// (0.0.0.0, ::) becomes the loopback address.
func dialableAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		if ip.To4() != nil {
			ip = net.IPv4(127, 0, 0, 1)
		} else {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// rateLimitFlag parses -rate-limit: comma-separated parts, applied in order to the
// documented limits: write=N, read=N, ACTION=N, scale=F, off, documented.
type rateLimitFlag emulator.RateLimit

func (f *rateLimitFlag) String() string {
	if f == nil {
		return ""
	}
	parts := []string{fmt.Sprintf("write=%g", f.Write), fmt.Sprintf("read=%g", f.Read)}
	for _, action := range slices.Sorted(maps.Keys(f.Actions)) {
		parts = append(parts, fmt.Sprintf("%s=%g", action, f.Actions[action]))
	}
	if f.Scale != 0 {
		parts = append(parts, fmt.Sprintf("scale=%g", f.Scale))
	}
	return strings.Join(parts, ",")
}

func (f *rateLimitFlag) Set(s string) error {
	limit := emulator.RateLimit(*f)
	limit.Actions = maps.Clone(limit.Actions)
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case strings.EqualFold(part, "off"):
			limit = emulator.RateLimit{}
			continue
		case strings.EqualFold(part, "documented"):
			limit = emulator.DocumentedRateLimit()
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		rate, err := strconv.ParseFloat(value, 64)
		if !ok || err != nil || rate < 0 || rate != rate || rate > 1e9 {
			return fmt.Errorf("%q: want parts write=N, read=N, ACTION=N, scale=F (N >= 0, 0 = off), off or documented", s)
		}
		switch key {
		case "write":
			limit.Write = rate
		case "read":
			limit.Read = rate
		case "scale":
			limit.Scale = rate
		default:
			if limit.Actions == nil {
				limit.Actions = map[string]float64{}
			}
			limit.Actions[key] = rate
		}
	}
	if err := emulator.ValidateRateLimit(limit); err != nil {
		return fmt.Errorf("%q: %v", s, err)
	}
	*f = rateLimitFlag(limit)
	return nil
}

// settingFlag sets one emulator setting; unset, the world file's value (or the
// default) applies.
type settingFlag struct {
	settings *emulator.Settings
	key      string
}

func (f settingFlag) String() string {
	if f.settings == nil {
		return ""
	}
	return f.settings.Get(f.key)
}

func (f settingFlag) Set(s string) error { return f.settings.Set(f.key, s) }
