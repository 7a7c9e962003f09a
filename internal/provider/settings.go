package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// Each cloud block is described once, as data: its attributes with their
// environment variables, defaults, sensitivity and descriptions. The
// schema, the unknown-value checks, the env fallback and the hints in error
// messages are all derived from it.

type attrKind int

const (
	kindString attrKind = iota
	kindBool
	kindInt
)

type attrSpec struct {
	name      string
	kind      attrKind
	env       []string
	sensitive bool
	def       string
	desc      string
	// validators for string attributes (checked by Terraform on literals).
	strValidators []validator.String
}

type blockSpec struct {
	name  string
	title string
	desc  string
	attrs []attrSpec
	// triggers are env vars whose presence configures the cloud when the
	// block is absent.
	triggers []string
	// setup tells a user how to configure the cloud.
	setup string
	// loginHint tells a user what to check when a login is refused.
	loginHint string
	// urlAttr is the attribute with the API's address.
	urlAttr string
}

// Defaults shared by every block.
const (
	defaultTimeout    = "30s"
	defaultMaxRetries = 4
)

// commonAttrs are the transport settings every block has.
func commonAttrs(block string, insecureEnv, caEnv []string) []attrSpec {
	envNote := func(envs []string) string {
		if len(envs) == 0 {
			return ""
		}
		return " Environment: `" + strings.Join(envs, "`, `") + "`."
	}
	return []attrSpec{
		{name: "insecure", kind: kindBool, env: insecureEnv, def: "false",
			desc: "Skip TLS certificate verification. For test systems only; the provider warns when it is on." + envNote(insecureEnv)},
		{name: "ca_cert", kind: kindString, env: caEnv,
			desc: "PEM bundle, or the path of a file holding one, of a CA to trust in addition to the system roots (for a private CA or a self-signed certificate)." + envNote(caEnv)},
		{name: "timeout", kind: kindString, def: defaultTimeout,
			desc:          "Longest time one HTTP attempt may take, as a Go duration (`30s`, `2m`). An attempt that runs out of time is not retried. Default `30s`.",
			strValidators: []validator.String{durationValidator{}}},
		{name: "max_retries", kind: kindInt, def: strconv.Itoa(defaultMaxRetries),
			desc: "How many times a request is retried after 429, 502, 503 and 504 answers and connection failures (with exponential back-off and `Retry-After`). Logins are retried only where they cannot have taken effect. Default `4`; `0` disables retries."},
	}
}

func (b *blockSpec) attr(name string) *attrSpec {
	for i := range b.attrs {
		if b.attrs[i].name == name {
			return &b.attrs[i]
		}
	}
	panic("unknown attribute " + b.name + "." + name)
}

func (a *attrSpec) markdown() string {
	d := a.desc
	if len(a.env) > 0 && !strings.Contains(d, "Environment:") {
		d += " Environment: `" + strings.Join(a.env, "` or `") + "`."
	}
	if a.def != "" && a.kind == kindString && !strings.Contains(d, "Default") {
		d += " Default `" + a.def + "`."
	}
	return d
}

func (b *blockSpec) schema() schema.SingleNestedAttribute {
	attrs := map[string]schema.Attribute{}
	for _, a := range b.attrs {
		switch a.kind {
		case kindString:
			attrs[a.name] = schema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown(), Validators: a.strValidators}
		case kindBool:
			attrs[a.name] = schema.BoolAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown()}
		case kindInt:
			attrs[a.name] = schema.Int64Attribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown(),
				Validators: []validator.Int64{int64validator.Between(0, 10)}}
		}
	}
	return schema.SingleNestedAttribute{Optional: true, MarkdownDescription: b.desc, Attributes: attrs}
}

// blockValues are a block's settings after env fallback and defaults.
type blockValues struct {
	spec    *blockSpec
	present bool
	vals    map[string]string
	src     map[string]string
	// diags collects configuration problems; see fail.
	diags diag.Diagnostics
}

// resolveBlock reads a block, reporting unknown values as attribute
// errors, and fills unset attributes from the environment and defaults.
func resolveBlock(spec *blockSpec, obj types.Object, getenv func(string) string) (*blockValues, diag.Diagnostics) {
	var diags diag.Diagnostics
	v := &blockValues{spec: spec, vals: map[string]string{}, src: map[string]string{}}
	if obj.IsUnknown() {
		diags.AddAttributeError(path.Root(spec.name), "Unknown value for the "+spec.name+" block",
			fmt.Sprintf("The %s block depends on a value that is only known after apply, but the provider needs its settings to plan. "+
				"Use values known at plan time (literals, variables, data sources), or leave the block out and use the environment variables (%s).",
				spec.name, strings.Join(spec.triggers, ", ")))
		return v, diags
	}
	var attrs map[string]attr.Value
	if !obj.IsNull() {
		v.present = true
		attrs = obj.Attributes()
	}
	for _, a := range spec.attrs {
		val, ok := attrs[a.name]
		if ok && val.IsUnknown() {
			alt := "set it to a value known at plan time"
			if len(a.env) > 0 {
				alt += " or remove it and set " + strings.Join(a.env, " or ")
			}
			diags.AddAttributeError(path.Root(spec.name).AtName(a.name), "Unknown value for "+spec.name+"."+a.name,
				fmt.Sprintf("%s.%s depends on a value that is only known after apply, but the provider must know it to plan: %s.", spec.name, a.name, alt))
			continue
		}
		if ok && !val.IsNull() {
			v.vals[a.name] = valueString(val)
			v.src[a.name] = "config"
			continue
		}
		for _, e := range a.env {
			if x := strings.TrimSpace(getenv(e)); x != "" {
				v.vals[a.name] = x
				v.src[a.name] = "env " + e
				break
			}
		}
		if _, set := v.vals[a.name]; !set && a.def != "" {
			v.vals[a.name] = a.def
			v.src[a.name] = "default"
		}
	}
	return v, diags
}

func valueString(v attr.Value) string {
	switch t := v.(type) {
	case types.String:
		return t.ValueString()
	case types.Bool:
		return strconv.FormatBool(t.ValueBool())
	case types.Int64:
		return strconv.FormatInt(t.ValueInt64(), 10)
	}
	return v.String()
}

// configured reports whether the user asked for this cloud: a block in the
// configuration or one of its environment variables.
func (v *blockValues) configured(getenv func(string) string) bool {
	if v.present {
		return true
	}
	for _, e := range v.spec.triggers {
		if getenv(e) != "" {
			return true
		}
	}
	return false
}

func (v *blockValues) str(name string) string { v.spec.attr(name); return v.vals[name] }

// hint names an attribute for a person: "`clc.username` (or CLC_USERNAME)".
func (v *blockValues) hint(name string) string {
	a := v.spec.attr(name)
	h := "`" + v.spec.name + "." + name + "`"
	if len(a.env) > 0 {
		h += " (or " + strings.Join(a.env, " / ") + ")"
	}
	return h
}

// fail records a configuration problem. With the block written in the
// configuration it is an attribute error now; configured by environment
// alone, it is reported by the first data source that uses the cloud, so a
// stray variable never breaks a plan that does not need that cloud.
func (v *blockValues) fail(name, summary, detail string) {
	if v.present && name != "" {
		v.diags.AddAttributeError(path.Root(v.spec.name).AtName(name), summary, detail)
		return
	}
	if v.present {
		v.diags.AddAttributeError(path.Root(v.spec.name), summary, detail)
		return
	}
	v.diags.AddError(summary, detail+" (These settings came from environment variables.)")
}

func (v *blockValues) boolean(name string) bool {
	s := v.str(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		v.fail(name, "Invalid "+v.spec.name+"."+name, fmt.Sprintf("%s must be true or false, not %q.", v.hint(name), s))
	}
	return b
}

// httpConfig builds the shared stack's settings from the common attributes.
func (v *blockValues) httpConfig(p *cloudauthProvider, baseAttr string) httpx.Config {
	cfg := httpx.Config{
		Name:       v.spec.name,
		Insecure:   v.boolean("insecure"),
		CACert:     v.str("ca_cert"),
		MaxRetries: defaultMaxRetries,
		UserAgent:  "terraform-provider-cloudauth/" + p.version,
		Logger:     tfLogger{},
	}
	if baseAttr != "" {
		cfg.BaseURL = v.str(baseAttr)
	}
	if d, err := time.ParseDuration(v.str("timeout")); err != nil || d <= 0 {
		v.fail("timeout", "Invalid "+v.spec.name+".timeout", fmt.Sprintf("%q is not a positive duration; use a value like \"30s\" or \"2m\".", v.str("timeout")))
	} else {
		cfg.Timeout = d
	}
	if n, err := strconv.Atoi(v.str("max_retries")); err == nil {
		cfg.MaxRetries = n
	}
	if cfg.Insecure {
		v.diags.AddAttributeWarning(path.Root(v.spec.name).AtName("insecure"), "TLS verification is off for "+v.spec.title,
			fmt.Sprintf("With %s.insecure = true the provider does not check the server's certificate, so anyone on the network path can read the credentials it sends. "+
				"Use %s.ca_cert to trust a private CA instead.", v.spec.name, v.spec.name))
	}
	return cfg
}

// clientError turns an error from a client constructor into a diagnostic
// on the attribute it names.
func (v *blockValues) clientError(err error, attrOf map[string]string) {
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) {
		v.fail("", "Invalid "+v.spec.name+" settings", err.Error())
		return
	}
	name := ce.Attribute
	if mapped, ok := attrOf[name]; ok {
		name = mapped
	}
	for _, a := range v.spec.attrs {
		if a.name == name {
			v.fail(name, "Invalid "+v.spec.name+"."+name, fmt.Sprintf("%s: %s.", v.hint(name), ce.Msg))
			return
		}
	}
	v.fail("", "Invalid "+v.spec.name+" settings", ce.Msg)
}

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a positive Go duration such as 30s or 2m"
}
func (d durationValidator) MarkdownDescription(ctx context.Context) string { return d.Description(ctx) }

var durationRe = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`)

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || !durationRe.MatchString(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q is not a positive duration; write it like \"30s\", \"90s\" or \"2m\".", s))
	}
}
