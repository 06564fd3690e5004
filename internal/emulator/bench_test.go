package emulator_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/emulator"
)

// benchEmulator is a 5000-instance world served in-process, rate limits off.
func benchEmulator(b *testing.B) (*emulator.Emulator, string) {
	b.Helper()
	opts := emulator.DefaultOptions()
	opts.RateLimit, opts.Scale, opts.TaskDelay = emulator.RateLimit{}, 5000, 0
	emu, err := emulator.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	b.Cleanup(srv.Close)
	return emu, srv.URL
}

func serve(b *testing.B, emu *emulator.Emulator, url string, rr rawRequest) {
	rec := httptest.NewRecorder()
	emu.ServeHTTP(rec, rr.build(b, url))
	if strings.Contains(rec.Body.String(), `"Error"`) {
		b.Fatalf("%s: %s", rr.Action, rec.Body)
	}
}

func BenchmarkDescribeAddresses100IDsScale5000(b *testing.B) {
	emu, url := benchEmulator(b)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"eip-sc%06d"`, i*50+1)
	}
	body := `{"AddressIds":[` + strings.Join(ids, ",") + `],"Limit":100}`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		serve(b, emu, url, rawRequest{Action: "DescribeAddresses", Body: body, Timestamp: time.Now()})
	}
}

func BenchmarkAssociateDisassociateScale5000(b *testing.B) {
	emu, url := benchEmulator(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := i%5000 + 1
		serve(b, emu, url, rawRequest{Action: "AssociateAddress", Timestamp: time.Now(),
			Body: fmt.Sprintf(`{"AddressId":"eip-sc%06d","InstanceId":"ins-sc%06d"}`, n, n)})
		serve(b, emu, url, rawRequest{Action: "DisassociateAddress", Timestamp: time.Now(),
			Body: fmt.Sprintf(`{"AddressId":"eip-sc%06d"}`, n)})
	}
}
