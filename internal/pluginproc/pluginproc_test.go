package pluginproc

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestQuietSDKLogsWhenTerraformShowsNone(t *testing.T) {
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, sdkLogLevelVariables...) {
		t.Setenv(v, "")
		_ = os.Unsetenv(v)
	}
	quietSDKLogsUnlessTerraformShowsThem()
	for _, v := range sdkLogLevelVariables {
		if got := os.Getenv(v); got != "OFF" {
			t.Errorf("%s = %q, want OFF", v, got)
		}
	}
}

func TestSDKLogsKeptWhenTerraformLogs(t *testing.T) {
	for _, set := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK_PROTO"} {
		t.Run(set, func(t *testing.T) {
			for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, sdkLogLevelVariables...) {
				t.Setenv(v, "")
				_ = os.Unsetenv(v)
			}
			t.Setenv(set, "DEBUG")
			quietSDKLogsUnlessTerraformShowsThem()
			for _, v := range sdkLogLevelVariables {
				if v != set && os.Getenv(v) != "" {
					t.Errorf("with %s set, %s = %q, want it left alone", set, v, os.Getenv(v))
				}
			}
		})
	}
}

func TestPrepareSetsTheMemoryLimitUnlessGOMEMLIMIT(t *testing.T) {
	previous := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(previous) })
	t.Setenv("GOMEMLIMIT", "")
	Prepare(true)
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Fatalf("memory limit = %d, want %d", got, memoryLimit)
	}
	debug.SetMemoryLimit(previous)
	t.Setenv("GOMEMLIMIT", "1GiB")
	Prepare(true)
	if got := debug.SetMemoryLimit(-1); got != previous {
		t.Fatalf("with GOMEMLIMIT set, the limit changed to %d", got)
	}
}
