package provider

import (
	"strings"
	"testing"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

func TestParseAssociationID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    associationID
		wantErr string
	}{
		{raw: "eip-abcd1234", want: associationID{EIPID: "eip-abcd1234"}},
		{raw: "eip-abcd1234::ins-0000zzzz", want: associationID{EIPID: "eip-abcd1234", Target: client.Target{InstanceID: "ins-0000zzzz"}}},
		{raw: "eip-abcd1234::eni-12345678::10.0.0.5", want: associationID{EIPID: "eip-abcd1234",
			Target: client.Target{NetworkInterfaceID: "eni-12345678", PrivateIP: "10.0.0.5"}}},
		{raw: "", wantErr: `"" is not an EIP id`},
		{raw: "eip-ABCD1234", wantErr: `"eip-ABCD1234" is not an EIP id`},
		{raw: "eip-abcd123", wantErr: "is not an EIP id"},
		{raw: "ins-abcd1234::eip-abcd1234", wantErr: `"ins-abcd1234" is not an EIP id`},
		{raw: "eip-abcd1234::eni-12345678", wantErr: `"eni-12345678" is not an instance id`},
		{raw: "eip-abcd1234::ins-1234567", wantErr: "is not an instance id"},
		{raw: "eip-abcd1234::ins-12345678::10.0.0.5", wantErr: `"ins-12345678" is not a network interface id`},
		{raw: "eip-abcd1234::eni-12345678::10.0.0.256", wantErr: `"10.0.0.256" is not an IPv4 address`},
		{raw: "eip-abcd1234::eni-12345678::::1", wantErr: "more than three parts"},
		{raw: "eip-abcd1234::eni-12345678::fe80::1", wantErr: "more than three parts"},
		{raw: "eip-abcd1234::eni-12345678::", wantErr: `"" is not an IPv4 address`},
		{raw: "eip-abcd1234:ins-12345678", wantErr: "is not an EIP id"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := parseAssociationID(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseAssociationID(%q) error = %v, want it to contain %q", tt.raw, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "eip-xxxxxxxx::ins-xxxxxxxx") {
					t.Errorf("error %q does not list the accepted forms", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseAssociationID(%q) error = %v", tt.raw, err)
			}
			if got != tt.want {
				t.Fatalf("parseAssociationID(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
			if got.hasTarget() && got.String() != tt.raw {
				t.Errorf("String() = %q, want the id back: %q", got.String(), tt.raw)
			}
		})
	}
}

func TestAssociationIDString(t *testing.T) {
	t.Parallel()
	if got := (associationID{EIPID: "eip-1", Target: client.Target{InstanceID: "ins-1"}}).String(); got != "eip-1::ins-1" {
		t.Errorf("instance form = %q", got)
	}
	got := (associationID{EIPID: "eip-1", Target: client.Target{NetworkInterfaceID: "eni-1", PrivateIP: "10.0.0.5"}}).String()
	if got != "eip-1::eni-1::10.0.0.5" {
		t.Errorf("network interface form = %q", got)
	}
}

func FuzzParseAssociationID(f *testing.F) {
	for _, seed := range []string{"eip-abcd1234", "eip-abcd1234::ins-0000zzzz", "eip-abcd1234::eni-12345678::10.0.0.5",
		"", "::", "eip-abcd1234::", "eip-abcd1234::eni-12345678::1.2.3.4::x", "eip-\x00\xff::ins-"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := parseAssociationID(raw)
		if err != nil {
			if !strings.Contains(err.Error(), "Expected") {
				t.Fatalf("error without the accepted forms: %v", err)
			}
			return
		}
		// Whatever parses must be well-formed and, with a target, round-trip.
		if !eipIDPattern.MatchString(id.EIPID) {
			t.Fatalf("parsed EIP id %q is malformed", id.EIPID)
		}
		if id.hasTarget() {
			again, err := parseAssociationID(id.String())
			if err != nil || again != id {
				t.Fatalf("round trip of %q: %+v, %v", raw, again, err)
			}
		}
	})
}
