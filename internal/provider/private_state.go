package provider

import (
	"context"
	"encoding/json"
	"reflect"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// privateState is the part of the framework's private state data the
// provider uses: what a resource remembers between operations without
// showing it in its attributes.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// Keys of the private state.
const (
	// keyUnbindRequested marks, in the state of an association whose destroy
	// failed after the API had accepted the unbind, when that was: the next
	// refresh does not blame anyone outside Terraform for the unbind.
	keyUnbindRequested = "unbind_requested_at"
	// keyLocation is where an instance binding sits, once seen there: the
	// primary private IP of the instance's primary network interface.
	keyLocation = "location"
	// keyReplacing is what a plan of a change found in the state: when
	// Terraform replaces the resource, the create half's plan knows what it
	// replaces.
	keyReplacing = "replacing"
	// keyReplacement is what the create half of a replacement binds: the
	// destroy half reads it before unbinding.
	keyReplacement = "replacement"
	// keyRegion is the region the binding was made or last seen in.
	keyRegion = "region"
)

// locationJSON is a client.Target's location, as stored.
type locationJSON struct {
	NetworkInterfaceID string `json:"network_interface_id"`
	PrivateIP          string `json:"private_ip"`
}

// replacingJSON is the object a plan of a change found in the state.
type replacingJSON struct {
	ID         string        `json:"id"`
	Location   *locationJSON `json:"location,omitempty"`
	Reallocate bool          `json:"reallocate_normal_public_ip"`
}

// absent reports whether there is no private state to use: none was given
// (a test calling a method directly).
func absent(p privateState) bool {
	v := reflect.ValueOf(p)
	return !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil())
}

func setJSON(ctx context.Context, p privateState, key string, value any) diag.Diagnostics {
	if absent(p) {
		return nil
	}
	if value == nil {
		return p.SetKey(ctx, key, nil)
	}
	b, err := json.Marshal(value)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record private state", err.Error())
		return diags
	}
	return p.SetKey(ctx, key, b)
}

// getJSON reads key into value; it reports false when the key is absent or
// unreadable (private state written by another version).
func getJSON(ctx context.Context, p privateState, key string, value any) bool {
	if absent(p) {
		return false
	}
	b, diags := p.GetKey(ctx, key)
	return !diags.HasError() && len(b) > 0 && json.Unmarshal(b, value) == nil
}

func markUnbindRequested(ctx context.Context, p privateState) diag.Diagnostics {
	return setJSON(ctx, p, keyUnbindRequested, time.Now().UTC().Format(time.RFC3339))
}

func unbindWasRequested(ctx context.Context, p privateState) bool {
	var at string
	return getJSON(ctx, p, keyUnbindRequested, &at)
}

func recordLocation(ctx context.Context, p privateState, l client.Target) diag.Diagnostics {
	if !known(l) {
		return setJSON(ctx, p, keyLocation, nil)
	}
	return setJSON(ctx, p, keyLocation, locationJSON{NetworkInterfaceID: l.NetworkInterfaceID, PrivateIP: l.PrivateIP})
}

func recordedLocation(ctx context.Context, p privateState) client.Target {
	var l locationJSON
	if !getJSON(ctx, p, keyLocation, &l) {
		return client.Target{}
	}
	return client.Target{NetworkInterfaceID: l.NetworkInterfaceID, PrivateIP: l.PrivateIP}
}
