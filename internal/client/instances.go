package client

import (
	"context"
	"encoding/json"
	"slices"

	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// Instance is the part of a CVM instance this provider uses: whether it can
// take an EIP.
type Instance struct {
	ID    string
	State string
	// StopChargingMode is KEEP_CHARGING, STOP_CHARGING or NOT_APPLICABLE.
	StopChargingMode string
}

// Instance states and stop-charging modes, as the CVM API spells them.
const (
	InstanceLaunchFailed = "LAUNCH_FAILED"
	InstanceStopped      = "STOPPED"
	StopCharging         = "STOP_CHARGING"
)

// WhyNoEIP says why the instance cannot take an EIP now ("failed to
// launch"), or "" when it can: the API refuses one for an instance that
// failed to launch or is stopped in no-charge mode (which releases its public
// network resources).
func (i *Instance) WhyNoEIP() string {
	switch {
	case i.State == InstanceLaunchFailed:
		return "failed to launch"
	case i.State == InstanceStopped && i.StopChargingMode == StopCharging:
		return "is stopped in no-charge mode"
	}
	return ""
}

// describeInstancesResponse is the part of CVM DescribeInstances's reply read
// here. The CVM SDK module is not used for one read-only action: the common
// request sends it, signed for the cvm service.
type describeInstancesResponse struct {
	Response *struct {
		InstanceSet []*struct {
			InstanceId       *string
			InstanceState    *string
			StopChargingMode *string
		}
		RequestId *string
	}
}

// LookupInstance reads one CVM instance. One that does not exist is an error
// IsInstanceNotFound recognizes.
func (c *Client) LookupInstance(ctx context.Context, id string) (*Instance, error) {
	return c.instances.get(ctx, id)
}

// describeInstances reads up to 100 instances in one call. A call refused
// for one of its ids (InvalidInstanceId.*) is read again an id at a time, so
// that the refusal is that id's alone.
func (c *Client) describeInstances(ctx context.Context, ids []string) (map[string]*Instance, error) {
	req := tchttp.NewCommonRequest(serviceCVM, versionCVM, "DescribeInstances")
	if err := req.SetActionParameters(map[string]any{"InstanceIds": ids, "Limit": maxIDsPerCall}); err != nil {
		return nil, toAPIError(req.GetAction(), err)
	}
	resp := tchttp.NewCommonResponse()
	err := c.send(ctx, req, resp)
	if hasCodePrefix(err, "InvalidInstanceId") && len(ids) > 1 {
		return oneAtATime(ctx, ids, c.describeInstances)
	}
	if err != nil {
		return nil, err
	}
	var reply describeInstancesResponse
	if err := json.Unmarshal(resp.GetBody(), &reply); err != nil || reply.Response == nil {
		return nil, &APIError{Action: req.GetAction(), Code: CodeInvalidReply, Message: "the reply has no Response"}
	}
	found := map[string]*Instance{}
	for _, i := range reply.Response.InstanceSet {
		if i != nil && slices.Contains(ids, deref(i.InstanceId)) {
			found[deref(i.InstanceId)] = &Instance{ID: deref(i.InstanceId), State: deref(i.InstanceState), StopChargingMode: deref(i.StopChargingMode)}
		}
	}
	return found, nil
}
