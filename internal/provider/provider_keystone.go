package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var keystoneSpec = &blockSpec{
	name:  "keystone",
	title: "OpenStack Keystone",
	desc: "OpenStack Keystone v3 (for example CloudPe). The provider asks `POST /v3/auth/tokens` for a token " +
		"with an application credential, a password or an existing token, and reads the token's user, project, " +
		"roles and service catalog from the same answer. Values here override `clouds.yaml` (see `cloud`) and " +
		"the `OS_*` environment variables.",
	attrs: append([]attrSpec{
		{name: "auth_url", env: []string{"OS_AUTH_URL"},
			desc: "Identity endpoint, with or without the trailing `/v3` (`https://in-west3.controlcloud.app:5000`)."},
		{name: "region", env: []string{"OS_REGION_NAME"},
			desc: "Region used by the catalog's `endpoints` map when a data source does not name one."},
		{name: "interface", env: []string{"OS_INTERFACE"},
			desc:          "Endpoint interface the catalog's `endpoints` map picks: `public` (default), `internal` or `admin`.",
			strValidators: []validator.String{stringvalidator.OneOf("public", "internal", "admin")}},
		{name: "application_credential_id", env: []string{"OS_APPLICATION_CREDENTIAL_ID"},
			desc: "Application credential ID; used with `application_credential_secret`."},
		{name: "application_credential_name", env: []string{"OS_APPLICATION_CREDENTIAL_NAME"},
			desc: "Application credential name; needs `application_credential_secret` and the user (`user_id`, or `user_name` with `user_domain_name` or `user_domain_id`)."},
		{name: "application_credential_secret", env: []string{"OS_APPLICATION_CREDENTIAL_SECRET"}, sensitive: true,
			desc: "Application credential secret."},
		{name: "user_name", env: []string{"OS_USERNAME"},
			desc: "User name for password login or to find a named application credential; needs the user's domain."},
		{name: "user_id", env: []string{"OS_USER_ID"},
			desc: "User ID for password login or to find a named application credential."},
		{name: "password", env: []string{"OS_PASSWORD"}, sensitive: true,
			desc: "Password of the user."},
		{name: "user_domain_name", env: []string{"OS_USER_DOMAIN_NAME"},
			desc: "Domain name of the user named by `user_name`."},
		{name: "user_domain_id", env: []string{"OS_USER_DOMAIN_ID"},
			desc: "Domain ID of the user named by `user_name`."},
		{name: "project_name", env: []string{"OS_PROJECT_NAME"},
			desc: "Project to scope a password token to, by name; needs `project_domain_name` or `project_domain_id`."},
		{name: "project_id", env: []string{"OS_PROJECT_ID"},
			desc: "Project to scope a password token to, by ID."},
		{name: "project_domain_name", env: []string{"OS_PROJECT_DOMAIN_NAME"},
			desc: "Domain name of the project named by `project_name`."},
		{name: "project_domain_id", env: []string{"OS_PROJECT_DOMAIN_ID"},
			desc: "Domain ID of the project named by `project_name`."},
		{name: "domain_name", env: []string{"OS_DOMAIN_NAME"},
			desc: "Domain to scope a password token to, by name, when no project is given."},
		{name: "domain_id", env: []string{"OS_DOMAIN_ID"},
			desc: "Domain to scope a password token to, by ID, when no project is given."},
		{name: "token", env: []string{"OS_TOKEN"}, sensitive: true,
			desc: "An existing token to use instead of logging in."},
		{name: "cloud", env: []string{"OS_CLOUD"},
			desc: "Entry of `clouds.yaml` (and `secure.yaml`) to read, searched in the current directory, `~/.config/openstack` and `/etc/openstack` (or `OS_CLIENT_CONFIG_FILE`). Attributes set here override the entry."},
	}, commonAttrs("keystone", []string{"OS_INSECURE"}, []string{"OS_CACERT"})...),
	triggers: []string{"OS_AUTH_URL", "OS_CLOUD"},
	setup: "Add `keystone { auth_url = ..., application_credential_id = ..., application_credential_secret = ... }` " +
		"(or a user and password, or `cloud` naming a clouds.yaml entry) to the provider configuration, or set " +
		"OS_AUTH_URL with OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET (or OS_CLOUD).",
}

func configureKeystone(_ context.Context, p *cloudauthProvider, v *blockValues) *cloudState[any] {
	return newCloudState[any](v, v.configured(p.getenv), nil)
}
