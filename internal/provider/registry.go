package provider

import (
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/abiquo"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/clc"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cleura"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/keystone"
)

// registry lists the clouds, in the order of the provider's schema and of
// cloudauth_token's `cloud` values. A new cloud is a package under
// internal/provider and one line here.
var registry = []cloud.Cloud{
	keystone.Cloud{},
	cleura.Cloud{},
	abiquo.Cloud{},
	clc.Cloud{},
}
