package acctest

import (
	"slices"
	"testing"
)

// Every variable that could reach an account, or change how it is reached, is
// left out; the fixture ids and everything else stay.
func TestWithoutCloud(t *testing.T) {
	t.Parallel()
	got := WithoutCloud([]string{
		"TENCENTCLOUD_SECRET_ID=a", "TENCENTCLOUD_PROFILE=p", "TENCENTCLOUD_ASSUME_ROLE_ARN=r", "QCLOUD_ENDPOINT=e",
		"QCLOUD_SITE=international", "QCLOUD_METADATA_ENDPOINT=m", "TKE_WEB_IDENTITY_TOKEN_FILE=f", "TCCLI_PROFILE=t",
		"QCLOUD_TEST_EIP_ID=eip-1", "HOME=/h", "PATH=/bin", "TF_ACC=1",
	})
	want := []string{"QCLOUD_TEST_EIP_ID=eip-1", "HOME=/h", "PATH=/bin", "TF_ACC=1"}
	if !slices.Equal(got, want) {
		t.Fatalf("WithoutCloud = %v, want %v", got, want)
	}
}
