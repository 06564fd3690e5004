// Command sharedterraform unpacks the newest Terraform beside the clone
// (e2e.SharedTerraform) as DIR/terraform and prints DIR, or prints nothing
// when there is none: `make generate` puts DIR first on PATH.
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
