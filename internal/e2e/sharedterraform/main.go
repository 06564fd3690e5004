// Command sharedterraform unpacks the newest Terraform beside the clone
// (../shared/tools/terraform-<version>-linux_amd64.xz) as DIR/terraform and
// prints DIR, or prints nothing when there is none. `make generate` puts it
// first on PATH: tfplugindocs documents resource identities (Terraform 1.12+)
// and list resources (1.14+) only with a Terraform that has them, and
// nothing here downloads one.
//
//	go run ./internal/e2e/sharedterraform DIR
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfqcloud/terraform-provider-qcloud/internal/e2e"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sharedterraform DIR")
		os.Exit(2)
	}
	path, err := e2e.SharedTerraform(context.Background(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sharedterraform:", err)
		os.Exit(1)
	}
	if path != "" {
		fmt.Println(filepath.Dir(path))
	}
}
