package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/cred"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
)

var (
	_ ephemeral.EphemeralResource              = (*tokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*tokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithRenew     = (*tokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*tokenEphemeralResource)(nil)
)

func newTokenEphemeralResource() ephemeral.EphemeralResource { return &tokenEphemeralResource{} }

type tokenEphemeralResource struct {
	providerData any
}

type tokenEphemeralModel struct {
	tokenModel
	RevokeOnClose types.Bool
}

func (m *tokenEphemeralModel) fromConfig(attrs map[string]tftypes.Value) (err error) {
	if err = m.tokenModel.fromConfig(attrs); err != nil {
		return err
	}
	m.RevokeOnClose, err = tfval.From[types.Bool](types.BoolType, attrs["revoke_on_close"])
	return err
}

func (m *tokenEphemeralModel) values() map[string]attr.Value {
	v := m.tokenModel.values()
	v["revoke_on_close"] = m.RevokeOnClose
	return v
}

// tokenPrivate is what Terraform keeps between Open, Renew and Close: a
// handle into this provider process's memory, never the token.
type tokenPrivate struct {
	Cloud  string `json:"cloud"`
	Handle string `json:"handle"`
	Revoke bool   `json:"revoke"`
}

const privateKey = "token"

func (r *tokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_token"
}

func (r *tokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A token for one of the configured clouds, with the headers its API expects, " +
			"that is **never stored** in the Terraform state or plan. Use it to configure another provider, " +
			"or in any other ephemeral context (Terraform 1.10+, OpenTofu 1.11+). It is the provider's own " +
			"cached token, so opening it costs no extra login.\n\n" +
			"Where the API or the token says when it expires and the provider has credentials to log in " +
			"with, Terraform is asked to renew it five minutes before (a third of its lifetime before, for a token that " +
			"lives less than 15 minutes, but never sooner than 15 seconds after the login); renewing logs in again, so that the " +
			"provider's own later calls use a fresh token. Terraform cannot hand a renewed value to what was " +
			"already configured with the first one, so a run that lasts longer than a token's lifetime needs a " +
			"longer-lived credential. A token configured in the provider block is not renewed.\n\n" +
			"With `revoke_on_close = true` the resource logs in for a token of its own (one more login) and " +
			"revokes it when Terraform closes the resource at the end of the run, where the API has a call to revoke " +
			"one; the token the provider's reads share is never revoked. With only a fixed token configured, or " +
			"for an API that cannot revoke a token, it warns and revokes nothing.",
		Attributes: map[string]schema.Attribute{
			"cloud": schema.StringAttribute{Required: true, MarkdownDescription: tokenCloudDesc,
				Validators: []validator.String{stringvalidator.OneOf(cloudNames()...)}},
			"revoke_on_close": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Get a token of this resource's own (one more login) and revoke it when Terraform closes " +
					"the resource, where the API can revoke a token. Default `false`: the resource gives the provider's shared token, which " +
					"stays valid until it expires."},
			"token":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: tokenTokenDesc},
			"headers":    schema.MapAttribute{Computed: true, Sensitive: true, ElementType: types.StringType, MarkdownDescription: tokenHeadersDesc},
			"expires_at": schema.StringAttribute{Computed: true, MarkdownDescription: tokenExpiresDesc},
			"principal":  schema.StringAttribute{Computed: true, MarkdownDescription: tokenPrincipalDesc},
			"endpoint":   schema.StringAttribute{Computed: true, MarkdownDescription: tokenEndpointDesc},
		},
	}
}

func (r *tokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	r.providerData = req.ProviderData
}

func (r *tokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m tokenEphemeralModel
	resp.Diagnostics.Append(readConfig(req.Config.Raw, m.fromConfig)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Cloud.ValueString()
	target, diags := tokenTarget(r.providerData, name, "ephemeral.cloudauth_token")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	revoke := m.RevokeOnClose.ValueBool()
	var (
		c   cred.Credential
		err error
	)
	_, revocable := target.Source.(cred.Revoker)
	issuer, ownable := target.Source.(cred.Issuer)
	switch {
	case revoke && !revocable:
		resp.Diagnostics.AddAttributeWarning(path.Root("revoke_on_close"), "revoke_on_close has no effect for "+name,
			target.Title+" has no API call to revoke a token; it stays valid until it expires.")
		revoke = false
	case revoke && (!ownable || !target.Source.CanLogin()):
		resp.Diagnostics.AddAttributeWarning(path.Root("revoke_on_close"), "revoke_on_close has no effect with a fixed "+target.Title+" token",
			"The provider is configured with a token and no credentials to log in with, so the token this resource gives is "+
				"that token itself. Revoking it would end the only credential the provider has, for this run and the next; it is not revoked.")
		revoke = false
	case revoke:
		// A token of its own, so that revoking it cannot end the token the
		// provider's reads (and other ephemeral tokens) share.
		c, err = issuer.IssueToken(ctx)
	}
	if !revoke {
		c, err = target.Source.Credential(ctx)
	}
	if err != nil {
		resp.Diagnostics.Append(target.Diagnose(err))
		return
	}
	resp.Diagnostics.Append(m.fill(ctx, c)...)
	resp.Diagnostics.Append(resp.Result.Set(ctx, result(req.Config.Raw, m.values()))...)
	data, _ := r.providerData.(*providerData)
	priv, err := json.Marshal(tokenPrivate{Cloud: name, Handle: data.open.add(name, c.Token), Revoke: revoke})
	if err != nil {
		resp.Diagnostics.AddError("Cannot keep the token's state",
			err.Error()+"\n\nThis is a bug in the provider; please report it with the Terraform version.")
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKey, priv)...)
	// Renewal logs in again for the provider's shared token; a token of
	// its own, or a fixed one, cannot be renewed.
	if !revoke && target.Source.CanLogin() {
		resp.RenewAt = c.RenewAt
	}
}

func (r *tokenEphemeralResource) private(ctx context.Context, get func(context.Context, string) ([]byte, diag.Diagnostics)) (tokenPrivate, diag.Diagnostics) {
	var p tokenPrivate
	b, diags := get(ctx, privateKey)
	if diags.HasError() || len(b) == 0 {
		return p, diags
	}
	if err := json.Unmarshal(b, &p); err != nil {
		diags.AddError("Cannot read the token's state",
			err.Error()+"\n\nTerraform handed back private data this provider did not write; run again, and report it if it persists.")
	}
	return p, diags
}

// Renew logs in again so that the provider's own later calls use a fresh
// token, and asks to be renewed again before that one expires.
func (r *tokenEphemeralResource) Renew(ctx context.Context, req ephemeral.RenewRequest, resp *ephemeral.RenewResponse) {
	p, diags := r.private(ctx, req.Private.GetKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || p.Cloud == "" {
		return
	}
	target, diags := tokenTarget(r.providerData, p.Cloud, "ephemeral.cloudauth_token")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || p.Revoke || !target.Source.CanLogin() {
		return
	}
	c, err := target.Source.Relogin(ctx)
	if err != nil {
		resp.Diagnostics.Append(target.Diagnose(err))
		return
	}
	resp.RenewAt = c.RenewAt
}

// Close revokes the token when revoke_on_close asked for it.
func (r *tokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	p, diags := r.private(ctx, req.Private.GetKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || p.Handle == "" {
		return
	}
	data, ok := r.providerData.(*providerData)
	if !ok {
		return
	}
	open, ok := data.open.take(p.Handle)
	if !ok || !p.Revoke {
		return
	}
	target, diags := tokenTarget(r.providerData, p.Cloud, "ephemeral.cloudauth_token")
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	rv, ok := target.Source.(cred.Revoker)
	if !ok {
		return
	}
	if err := rv.Revoke(ctx, open.token); err != nil {
		resp.Diagnostics.AddWarning("Cannot revoke the "+target.Title+" token",
			"revoke_on_close asked to revoke the token, but the API refused: "+err.Error()+
				"\n\nThe token stays valid until it expires.")
	}
}
