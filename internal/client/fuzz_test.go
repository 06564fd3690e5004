package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/client"
)

// FuzzResponseDecoding feeds arbitrary reply bodies to every call the client
// makes: whatever comes back, the client returns a value or an *APIError,
// and never panics.
func FuzzResponseDecoding(f *testing.F) {
	for _, seed := range []string{
		`{"Response":{"TaskId":"123","RequestId":"r"}}`,
		`{"Response":{"TaskId":123,"RequestId":"r"}}`,
		`{"Response":{"TaskId":"abc","RequestId":"r"}}`,
		`{"Response":{"RequestId":"r"}}`,
		`{"Response":null}`,
		`{"Response":{"TotalCount":1,"AddressSet":[{"AddressId":"eip-1","AddressStatus":"BIND"}],"RequestId":"r"}}`,
		`{"Response":{"TotalCount":5,"AddressSet":[null,{}],"RequestId":"r"}}`,
		`{"Response":{"TotalCount":-1,"AddressSet":[],"RequestId":"r"}}`,
		`{"Response":{"TaskId":1,"Result":"FAILED","RequestId":"r"}}`,
		`{"Response":{"QuotaSet":[{"QuotaId":"DAILY_PUBLIC_IP_ASSIGN","QuotaCurrent":10,"QuotaLimit":10}],"RequestId":"r"}}`,
		`{"Response":{"QuotaSet":[null,{"QuotaCurrent":"x"}]}}`,
		`{"Response":{"TotalCount":1,"InstanceSet":[{"InstanceId":"ins-abcd1234","InstanceState":"RUNNING"},null],"RequestId":"r"}}`,
		`{"Response":{"TotalCount":1,"NetworkInterfaceSet":[{"NetworkInterfaceId":"eni-abcd1234","Primary":true,"Attachment":null,"PrivateIpAddressSet":[null,{"Primary":true}]}]}}`,
		`{"Response":{"Error":{"Code":"InvalidAddressId.NotFound","Message":"m"},"RequestId":"r"}}`,
		`{"Response":{"Error":{"Code":"","Message":""}}}`,
		`<html>502 Bad Gateway</html>`,
		``, `null`, `[]`, `{"Response":[]}`, "\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := client.New(client.Config{
			SecretID: "id", SecretKey: "key", Region: "ap-guangzhou", Endpoint: "http://127.0.0.1:1",
			RateLimit: client.RateLimit{Write: 1e6, Read: 1e6}, HTTPTransport: client.RoundTripOK(body),
		})
		if err != nil {
			t.Fatal(err)
		}
		// Retryable replies are retried until this short deadline.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		for i, err := range []error{
			errorOf(c.Associate(ctx, "eip-abcd1234", client.Target{InstanceID: "ins-abcd1234"})),
			errorOf(c.Disassociate(ctx, "eip-abcd1234", client.UnbindOptions{ReallocateNormalPublicIP: true})),
			errorOf(c.Addresses(ctx, client.Query{IDs: []string{"eip-abcd1234"}})),
			errorOf(c.WaitAddress(ctx, client.Task{Action: "AssociateAddress", AddressID: "eip-abcd1234", ID: "42"},
				func(*client.Address) bool { return false })),
			errorOf(c.DailyReallocationQuota(ctx)),
			errorOf(c.LookupNetworkInterface(ctx, "eni-abcd1234")),
			errorOf(c.LookupInstance(ctx, "ins-abcd1234")),
		} {
			var apiErr *client.APIError
			if err != nil && !errors.As(err, &apiErr) {
				t.Fatalf("call %d: error %T is not an *APIError: %v", i, err, err)
			}
		}
	})
}

// errorOf is the error of a call's two results.
func errorOf[T any](_ T, err error) error { return err }
