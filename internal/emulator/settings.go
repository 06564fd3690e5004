package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Values of the settings. Where the documentation disagrees with itself, a setting
// chooses between the readings; the first value of each group is the default.
const (
	// AlreadyBindEIP: which EIP blocks a bind to an instance.
	AlreadyBindEIPPrivateIP = "private-ip" // only one on the very private IP the bind targets
	AlreadyBindEIPInstance  = "instance"   // any EIP anywhere on the instance

	// WanIPOnBind: a normal public IP (WanIP) sits on the private IP an EIP is bound to.
	WanIPOnBindRefuse  = "refuse"  // InvalidParameterValue.InstanceHasWanIP, nothing changes
	WanIPOnBindRelease = "release" // the normal public IP is released when the bind completes

	// UnknownRegion: the code answered for a region that does not exist.
	UnknownRegionInvalidParameterValue = "InvalidParameterValue"
	UnknownRegionUnsupportedRegion     = "UnsupportedRegion"

	// BlockedUnbind: DisassociateAddress of a blocked EIP.
	BlockedUnbindRefuse = "refuse" // InvalidAddressId.Blocked
	BlockedUnbindAllow  = "allow"

	// RebindSameTarget: AssociateAddress of a bound EIP to the target it is bound to.
	RebindSameTargetRefuse   = "refuse"   // UnsupportedOperation.AddressStatusNotPermit
	RebindSameTargetTolerate = "tolerate" // a task that changes nothing; another target is a *NotMatch error

	// UnknownENI: DescribeNetworkInterfaces naming an ENI id that does not exist.
	UnknownENIError = "error" // ResourceNotFound
	UnknownENIEmpty = "empty" // the id is left out of the result

	// SessionLifetimeNone: temporary credentials last as long as requested (no cap).
	SessionLifetimeNone = "none"

	// DefaultMetadataInstance is the instance the CVM metadata service speaks for.
	DefaultMetadataInstance = "ins-demo0001"
)

// Throttling codes: the built-in rate limiter answers with the one RateLimitCode names.
const (
	ThrottleRequestLimitExceeded = "RequestLimitExceeded"
	ThrottleUinLimitExceeded     = "RequestLimitExceeded.UinLimitExceeded"
	ThrottleIPLimitExceeded      = "RequestLimitExceeded.IPLimitExceeded"
	ThrottleGlobalRegionUinLimit = "RequestLimitExceeded.GlobalRegionUinLimitExceeded"
	ThrottleActionLimited        = "LimitExceeded.ActionLimited"
)

// isThrottleCode tells whether code is one of the documented throttling codes (those of
// the rateLimitCode setting, and AssumeRole's InvalidParameter.OverLimit).
func isThrottleCode(code string) bool {
	info, _ := settingInfo("rateLimitCode")
	return slices.Contains(info.Values, code) || code == codeOverLimit
}

// Settings choose the emulator's answer where the documentation allows more than one.
// An empty field means "not set": Options.Settings leaves the world's value, the world
// file leaves the default. The effective values are in World.Settings (so they persist
// with -state) and on GET /_emulator/settings.
type Settings struct {
	AlreadyBindEIP   string `json:"alreadyBindEip,omitempty"`
	WanIPOnBind      string `json:"wanIpOnBind,omitempty"`
	UnknownRegion    string `json:"unknownRegion,omitempty"`
	BlockedUnbind    string `json:"blockedUnbind,omitempty"`
	RebindSameTarget string `json:"rebindSameTarget,omitempty"`
	UnknownENI       string `json:"unknownEni,omitempty"`
	RateLimitCode    string `json:"rateLimitCode,omitempty"`
	// SessionLifetime caps the lifetime of the temporary credentials the emulator issues
	// (AssumeRole, AssumeRoleWithWebIdentity, the CVM metadata service): "none", or a
	// whole number of seconds as a Go duration ("10s"), so that renewals can be tested
	// in seconds.
	SessionLifetime string `json:"sessionLifetime,omitempty"`
	// MetadataInstance is the instance the CVM metadata service
	// (/latest/meta-data/) speaks for.
	MetadataInstance string `json:"metadataInstance,omitempty"`
}

// SettingInfo describes one setting: its JSON key (world file, /_emulator/settings),
// its command-line flag, and its values, the default first. A free-form setting
// (Format set) lists only its default in Values and takes any value check accepts.
type SettingInfo struct {
	Key    string
	Flag   string
	Values []string
	Usage  string
	// Format describes the values of a free-form setting ("" = one of Values).
	Format string

	field func(*Settings) *string
	check func(string) error
}

// Default is the value a setting has when nothing sets it.
func (s SettingInfo) Default() string { return s.Values[0] }

// Choices describes the values the setting takes, for usage texts.
func (s SettingInfo) Choices() string {
	if s.Format != "" {
		return s.Format
	}
	return strings.Join(s.Values, " | ")
}

var settingInfos = []SettingInfo{
	{Key: "alreadyBindEip", Flag: "already-bind-eip", Values: []string{AlreadyBindEIPPrivateIP, AlreadyBindEIPInstance},
		Usage: "which EIP refuses a bind to an instance with InvalidInstanceId.AlreadyBindEip: one on the targeted private IP, or any on the instance",
		field: func(s *Settings) *string { return &s.AlreadyBindEIP }},
	{Key: "wanIpOnBind", Flag: "wan-ip-on-bind", Values: []string{WanIPOnBindRefuse, WanIPOnBindRelease},
		Usage: "binding an EIP where a normal public IP sits: refuse with InvalidParameterValue.InstanceHasWanIP, or release the normal public IP",
		field: func(s *Settings) *string { return &s.WanIPOnBind }},
	{Key: "unknownRegion", Flag: "unknown-region", Values: []string{UnknownRegionInvalidParameterValue, UnknownRegionUnsupportedRegion},
		Usage: "the error code for a region that does not exist",
		field: func(s *Settings) *string { return &s.UnknownRegion }},
	{Key: "blockedUnbind", Flag: "blocked-unbind", Values: []string{BlockedUnbindRefuse, BlockedUnbindAllow},
		Usage: "unbinding a blocked EIP: refuse with InvalidAddressId.Blocked, or allow",
		field: func(s *Settings) *string { return &s.BlockedUnbind }},
	{Key: "rebindSameTarget", Flag: "rebind-same-target", Values: []string{RebindSameTargetRefuse, RebindSameTargetTolerate},
		Usage: "binding a bound EIP to its own target: refuse with UnsupportedOperation.AddressStatusNotPermit, or tolerate (another target: *NotMatch)",
		field: func(s *Settings) *string { return &s.RebindSameTarget }},
	{Key: "unknownEni", Flag: "unknown-eni", Values: []string{UnknownENIError, UnknownENIEmpty},
		Usage: "DescribeNetworkInterfaces naming an unknown ENI id: ResourceNotFound (error), or leave it out (empty)",
		field: func(s *Settings) *string { return &s.UnknownENI }},
	{Key: "rateLimitCode", Flag: "rate-limit-code", Values: []string{ThrottleRequestLimitExceeded, ThrottleUinLimitExceeded,
		ThrottleIPLimitExceeded, ThrottleGlobalRegionUinLimit, ThrottleActionLimited},
		Usage: "the error code the rate limiter answers with",
		field: func(s *Settings) *string { return &s.RateLimitCode }},
	{Key: "sessionLifetime", Flag: "session-lifetime", Values: []string{SessionLifetimeNone},
		Format: "none | a whole number of seconds, e.g. 10s or 15m",
		Usage:  "caps the lifetime of the temporary credentials the emulator issues (AssumeRole, AssumeRoleWithWebIdentity, CVM metadata); none = as requested",
		field:  func(s *Settings) *string { return &s.SessionLifetime }, check: checkSessionLifetime},
	{Key: "metadataInstance", Flag: "metadata-instance", Values: []string{DefaultMetadataInstance},
		Format: "an instance id (ins-xxxxxxxx)",
		Usage:  "the instance the CVM metadata service (/latest/meta-data/) speaks for",
		field:  func(s *Settings) *string { return &s.MetadataInstance }, check: checkInstanceID},
}

// checkSessionLifetime accepts "none" or a positive whole number of seconds: the
// expiry the API answers (ExpiredTime) is in Unix seconds.
func checkSessionLifetime(v string) error {
	if v == SessionLifetimeNone {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second || d%time.Second != 0 {
		return fmt.Errorf("%q is neither none nor a whole number of seconds of at least 1s", v)
	}
	return nil
}

func checkInstanceID(v string) error {
	if !instanceIDPattern.MatchString(v) {
		return fmt.Errorf("%q is not an instance id (ins- and 8 lowercase letters or digits)", v)
	}
	return nil
}

// sessionCap is the cap SessionLifetime sets (0 = none).
func (s Settings) sessionCap() time.Duration {
	d, err := time.ParseDuration(s.SessionLifetime)
	if err != nil {
		return 0
	}
	return d
}

// SettingsInfo lists every setting, in a stable order.
func SettingsInfo() []SettingInfo { return slices.Clone(settingInfos) }

func settingInfo(key string) (SettingInfo, bool) {
	if info := findFirst(settingInfos, func(s SettingInfo) bool { return s.Key == key }); info != nil {
		return *info, true
	}
	return SettingInfo{}, false
}

// Set sets the setting with the JSON key to value, which must be one of its values.
func (s *Settings) Set(key, value string) error {
	info, ok := settingInfo(key)
	if !ok {
		return fmt.Errorf("unknown setting %q", key)
	}
	switch {
	case info.check != nil:
		if err := info.check(value); err != nil {
			return fmt.Errorf("setting %s: %w", key, err)
		}
	case !slices.Contains(info.Values, value):
		return fmt.Errorf("setting %s: %q is not one of %s", key, value, strings.Join(info.Values, ", "))
	}
	*info.field(s) = value
	return nil
}

// Get returns the value of the setting with the JSON key ("" when unset or unknown).
func (s Settings) Get(key string) string {
	info, ok := settingInfo(key)
	if !ok {
		return ""
	}
	return *info.field(&s)
}

// validate checks that every set field holds one of its values.
func (s Settings) validate() error {
	for _, info := range settingInfos {
		if v := *info.field(&s); v != "" {
			var probe Settings
			if err := probe.Set(info.Key, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// overlay returns s with every set field of o copied over it.
func (s Settings) overlay(o Settings) Settings {
	for _, info := range settingInfos {
		if v := *info.field(&o); v != "" {
			*info.field(&s) = v
		}
	}
	return s
}

// withDefaults fills every unset field with its default.
func (s Settings) withDefaults() Settings {
	for _, info := range settingInfos {
		if p := info.field(&s); *p == "" {
			*p = info.Default()
		}
	}
	return s
}

// SetSettings changes the settings named by the set fields of s; the others stay. It
// refuses (and changes nothing) when a value is not one of the setting's values.
func (e *Emulator) SetSettings(s Settings) error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("%v: %w", err, ErrBadRequest)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.observe()
	e.world.Settings = e.world.Settings.overlay(s)
	e.dirty = true
	e.commit()
	return nil
}

// Settings returns the settings in force, every field set.
func (e *Emulator) Settings() Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.world.Settings
}
