package client

import (
	"context"
	"encoding/json"

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

// LookupInstance reads one CVM instance, once per client. One that does not
// exist is an error IsInstanceNotFound recognizes.
func (c *Client) LookupInstance(ctx context.Context, id string) (*Instance, error) {
	return c.instances.get(id, func() (*Instance, error) {
		req := tchttp.NewCommonRequest(serviceCVM, versionCVM, "DescribeInstances")
		if err := req.SetActionParameters(map[string]any{"InstanceIds": []string{id}}); err != nil {
			return nil, toAPIError(req.GetAction(), err)
		}
		resp := tchttp.NewCommonResponse()
		if err := c.send(ctx, req, resp); err != nil {
			return nil, err
		}
		var reply describeInstancesResponse
		if err := json.Unmarshal(resp.GetBody(), &reply); err != nil || reply.Response == nil {
			return nil, &APIError{Action: req.GetAction(), Code: CodeInvalidReply, Message: "the reply has no Response"}
		}
		for _, i := range reply.Response.InstanceSet {
			if i != nil && deref(i.InstanceId) == id {
				return &Instance{ID: id, State: deref(i.InstanceState), StopChargingMode: deref(i.StopChargingMode)}, nil
			}
		}
		return nil, notFound(req.GetAction(), CodeInstanceNotFound, "the instance "+id)
	})
}
