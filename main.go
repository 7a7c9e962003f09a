// Command terraform-provider-cloudauth serves the cloudauth provider to
// Terraform and OpenTofu over plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/buildinfo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider"
)

// version is set at build time (-ldflags "-X main.version=1.2.3"); without
// it the version comes from the build information (`go install ...@v1.2.3`).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider for a debugger and print TF_REATTACH_PROVIDERS")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		// Started by Terraform: log only what Terraform will show.
		for k, v := range provider.LogLevels(os.Getenv) {
			if err := os.Setenv(k, v); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := tf6server.Serve("registry.terraform.io/cloudauth/cloudauth", provider.NewProtocol6(buildinfo.Version(version)), opts...); err != nil {
		log.Fatal(err)
	}
}
