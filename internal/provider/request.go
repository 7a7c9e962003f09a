package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
	"github.com/cloudauth/terraform-provider-cloudauth/internal/provider/cloud/tfval"
)

// The cloudauth_request data source and ephemeral resource share this
// file: the model, the read and the descriptions.

type requestModel struct {
	Cloud              types.String
	Path               types.String
	URL                types.String
	Method             types.String
	RequestHeaders     types.Map
	ExpectedStatus     types.List
	ServiceType        types.String
	Interface          types.String
	Region             types.String
	StatusCode         types.Int64
	ResponseHeaders    types.Map
	ResponseBody       types.String
	ResponseBodyBase64 types.String
}

// fromConfig reads the model's settings from the configuration's
// attributes (see readConfig).
func (m *requestModel) fromConfig(attrs map[string]tftypes.Value) error {
	var err error
	str := func(name string) types.String {
		v, e := tfval.From[types.String](types.StringType, attrs[name])
		err = errors.Join(err, e)
		return v
	}
	m.Cloud, m.Path, m.URL, m.Method = str("cloud"), str("path"), str("url"), str("method")
	m.ServiceType, m.Interface, m.Region = str("service_type"), str("interface"), str("region")
	headers, e := tfval.From[types.Map](types.MapType{ElemType: types.StringType}, attrs["request_headers"])
	m.RequestHeaders, err = headers, errors.Join(err, e)
	statuses, e := tfval.From[types.List](types.ListType{ElemType: types.Int64Type}, attrs["expected_status"])
	m.ExpectedStatus, err = statuses, errors.Join(err, e)
	return err
}

// values are the model's attributes by name.
func (m *requestModel) values() map[string]attr.Value {
	return map[string]attr.Value{"cloud": m.Cloud, "path": m.Path, "url": m.URL, "method": m.Method,
		"request_headers": m.RequestHeaders, "expected_status": m.ExpectedStatus, "service_type": m.ServiceType,
		"interface": m.Interface, "region": m.Region, "status_code": m.StatusCode, "response_headers": m.ResponseHeaders,
		"response_body": m.ResponseBody, "response_body_base64": m.ResponseBodyBase64}
}

// read makes the request m describes with the cloud's login and fills in
// the answer. mask is set where the answer goes into the state.
func (m *requestModel) read(ctx context.Context, pd any, user string, mask bool) diag.Diagnostics {
	target, diags := tokenTarget(pd, m.Cloud.ValueString(), user)
	if diags.HasError() {
		return diags
	}
	reader, ok := target.Source.(httpx.RawReader)
	if !ok {
		diags.AddError("Requests not supported for "+target.Title,
			fmt.Sprintf("The %s client cannot make requests (%T). This is a bug in the provider; please report it.", target.Title, target.Source))
		return diags
	}
	req := httpx.RawRequest{
		Method:      m.Method.ValueString(),
		Path:        m.Path.ValueString(),
		URL:         m.URL.ValueString(),
		Header:      http.Header{},
		ServiceType: m.ServiceType.ValueString(),
		Interface:   m.Interface.ValueString(),
		Region:      m.Region.ValueString(),
		Mask:        mask,
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	var headers map[string]string
	diags.Append(m.RequestHeaders.ElementsAs(ctx, &headers, false)...)
	if diags.HasError() {
		return diags
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for _, s := range m.ExpectedStatus.Elements() {
		if n, ok := s.(types.Int64); ok {
			req.Expected = append(req.Expected, int(n.ValueInt64()))
		}
	}
	resp, err := reader.Read(ctx, req)
	if err != nil {
		diags.Append(requestDiagnostic(user, target.Title, err, target.Diagnose))
		return diags
	}
	m.Method = types.StringValue(strings.ToUpper(req.Method))
	m.StatusCode = types.Int64Value(int64(resp.StatusCode))
	h, d := types.MapValueFrom(ctx, types.StringType, resp.Headers())
	diags.Append(d...)
	m.ResponseHeaders = h
	if text, ok := resp.Text(); ok {
		m.ResponseBody, m.ResponseBodyBase64 = types.StringValue(text), types.StringNull()
	} else {
		m.ResponseBody, m.ResponseBodyBase64 = types.StringNull(), types.StringValue(base64.StdEncoding.EncodeToString(resp.Body))
	}
	return diags
}

// requestDiagnostic explains a failed request: what the request itself got
// wrong on its attribute, anything else (the login) in the cloud's terms.
func requestDiagnostic(user, title string, err error, diagnose func(error) diag.Diagnostic) diag.Diagnostic {
	var (
		re *httpx.RequestError
		oe *httpx.OriginError
		he *httpx.HeaderConflictError
		se *httpx.StatusError
	)
	switch {
	case errors.As(err, &oe):
		return diag.NewAttributeErrorDiagnostic(path.Root("url"), "URL outside "+title,
			fmt.Sprintf("%s: %s. Nothing was sent.", user, err))
	case errors.As(err, &he):
		return diag.NewAttributeErrorDiagnostic(path.Root("request_headers"), "Header set by the provider",
			fmt.Sprintf("%s: %s. Nothing was sent.", user, err))
	case errors.As(err, &re) && httpx.IsURLSecret(re):
		// No attribute path: Terraform would print the url's source line.
		return diag.NewErrorDiagnostic("Invalid "+re.Attribute,
			fmt.Sprintf("%s: the setting `%s`: %s. Nothing was sent.", user, re.Attribute, err))
	case errors.As(err, &re):
		return diag.NewAttributeErrorDiagnostic(path.Root(re.Attribute), "Invalid "+re.Attribute,
			fmt.Sprintf("%s: %s. Nothing was sent.", user, err))
	case errors.As(err, &se):
		return diag.NewErrorDiagnostic("Unexpected HTTP status from "+title,
			fmt.Sprintf("%s: %s.\n\nIf that status is what you expect, list it in expected_status.", user, err))
	}
	return diagnose(err)
}

// Descriptions shared by the data source and the ephemeral resource.
var (
	requestCloudDesc = "Cloud to read from, with its login: `" + strings.Join(cloudNames(), "`, `") + "`. " +
		"The provider configuration (a block, or the environment) must configure that cloud."
	requestPathDesc = "Path to read, joined to the cloud's API base URL (the provider block's URL; for Keystone, " +
		"the catalog endpoint chosen by `service_type`, `interface` and `region`) with exactly one `/` between them. " +
		"A query string (`?limit=10`) is sent as written. Exactly one of `path` and `url` is set."
	requestURLDesc = "Absolute URL to read. It must be on the cloud's own origin (scheme, host and port of its API " +
		"URL; for Keystone, of its auth URL or of an endpoint in the token's catalog), or it is refused before " +
		"anything is sent: the cloud's token goes to no other address. Exactly one of `path` and `url` is set."
	requestMethodDesc  = "`GET` (the default) or `HEAD`."
	requestHeadersDesc = "Headers to send. The cloud's own login headers are added by the provider; " +
		"a header of the same name (in any case) is an error. `Accept` defaults to `*/*`."
	requestExpectedDesc = "Statuses that count as success. Default: any 2xx. Any other status is an error " +
		"that quotes the API's message, with secrets masked."
	requestServiceTypeDesc = "Keystone only: the service type of the catalog endpoint `path` goes under. Default `identity`."
	requestInterfaceDesc   = "Keystone only: the interface of that endpoint (`public`, `internal`, `admin`). Default: the provider's `keystone.interface`, else `public`."
	requestRegionDesc      = "Keystone only: the region of that endpoint. Default: the provider's `keystone.region`, else the first region in alphabetical order, as `cloudauth_keystone_catalog`'s `endpoints` map chooses."
	requestStatusDesc      = "The HTTP status of the answer."
	requestRespHeadersDesc = "The answer's headers; the values of a repeated header are joined with `, `."
	requestBodyDesc        = "The answer's body, when it is UTF-8 text; otherwise null."
	requestBodyB64Desc     = "The answer's body in base64, when it is not UTF-8 text; otherwise null."
	requestCommonDesc      = "The read is made with the provider's cached login for the cloud and its headers: " +
		"on a 401 the provider logs in once more and repeats the read once, with the same retries, limits, " +
		"timeouts and masking of secrets as its other reads. Identical reads (same cloud, method, URL and " +
		"headers) are made once per run."
)
