package cloud

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Origin is where a setting's value came from.
type Origin int

// Origins, in the order a value is looked for.
const (
	// Unset: nowhere; the value is empty.
	Unset Origin = iota
	// FromConfig: the cloud's block in the provider configuration.
	FromConfig
	// FromEnv: an environment variable (Value.Source names it).
	FromEnv
	// FromFile: a file such as clouds.yaml or the credentials file
	// (Value.Source names it).
	FromFile
	// FromDefault: the attribute's default.
	FromDefault
)

func (o Origin) String() string {
	switch o {
	case FromConfig:
		return "configuration"
	case FromEnv:
		return "environment"
	case FromFile:
		return "file"
	case FromDefault:
		return "default"
	}
	return "unset"
}

// Value is one resolved setting: its value, where it came from, and how
// to name it to a person.
type Value[T any] struct {
	V      T
	Origin Origin
	// Source is the environment variable or file that gave the value.
	Source string
	name   string   // "clc.username"
	env    []string // the variables that can set it
	// cli: named for the command line (ConfigureRequest.CommandLine).
	cli bool
}

// IsSet reports whether the value came from anywhere (a default counts).
func (v Value[T]) IsSet() bool { return v.Origin != Unset }

// Given reports whether the user gave the value: in the configuration, the
// environment or a file, not by default.
func (v Value[T]) Given() bool { return v.Origin != Unset && v.Origin != FromDefault }

// Name is the attribute's full name, "clc.username".
func (v Value[T]) Name() string { return v.name }

// Hint names the setting for a person: "`clc.username` (or CLC_USERNAME)";
// for the command line, its variables alone ("CLC_USERNAME"), and for a
// setting that no variable sets, its attribute, said to be the provider
// configuration's.
func (v Value[T]) Hint() string {
	if v.cli {
		if len(v.env) > 0 {
			return strings.Join(v.env, " / ")
		}
		return "`" + v.name + "` (a setting of the provider configuration only)"
	}
	h := "`" + v.name + "`"
	if len(v.env) > 0 {
		h += " (or " + strings.Join(v.env, " / ") + ")"
	}
	return h
}

// From says where the value came from, for messages: "`clc.password`",
// "CLC_PASSWORD", "clouds.yaml /home/me/clouds.yaml", "the default".
func (v Value[T]) From() string {
	switch v.Origin {
	case FromConfig:
		return "`" + v.name + "`"
	case FromEnv, FromFile:
		return v.Source
	case FromDefault:
		return "the default of `" + v.name + "`"
	}
	return "nowhere"
}

// Where names the setting and, when it did not come from the block, where
// it came from: "`clc.password`", "`clc.password` (from CLC_PASSWORD)".
func (v Value[T]) Where() string {
	w := "`" + v.name + "`"
	if v.Origin != FromConfig && v.Origin != Unset {
		w += " (from " + v.From() + ")"
	}
	return w
}

// With returns the value replaced by x from origin (a file filling what the
// configuration and the environment left unset).
func (v Value[T]) With(x T, origin Origin, source string) Value[T] {
	v.V, v.Origin, v.Source = x, origin, source
	return v
}

// kind is the Terraform type of an attribute.
type kind int

const (
	kindString kind = iota
	kindBool
	kindInt
	kindMap // of strings; set in the configuration only
)

// Attr is one setting of a cloud's block: its schema, the environment
// variables and default that stand in for it, and the field of the cloud's
// typed settings S it fills. The schema and the resolution are both made
// from it, so a setting's name is written once.
type Attr[S any] struct {
	name       string
	kind       kind
	desc       string
	env        []string
	def        string
	sensitive  bool
	validators []validator.String
	intChecks  []validator.Int64
	str        func(*S) *Value[string]
	boolean    func(*S) *Value[bool]
	integer    func(*S) *Value[int64]
	strings    func(*S) *Value[map[string]string]
}

// String is a string setting stored in field.
func String[S any](name string, field func(*S) *Value[string], desc string) Attr[S] {
	return Attr[S]{name: name, kind: kindString, desc: desc, str: field}
}

// Bool is a boolean setting stored in field.
func Bool[S any](name string, field func(*S) *Value[bool], desc string) Attr[S] {
	return Attr[S]{name: name, kind: kindBool, desc: desc, boolean: field}
}

// Int is an integer setting stored in field.
func Int[S any](name string, field func(*S) *Value[int64], desc string) Attr[S] {
	return Attr[S]{name: name, kind: kindInt, desc: desc, integer: field}
}

// Map is a map-of-strings setting stored in field. It has no environment
// variable: a map is written in the configuration.
func Map[S any](name string, field func(*S) *Value[map[string]string], desc string) Attr[S] {
	return Attr[S]{name: name, kind: kindMap, desc: desc, strings: field}
}

// Field returns the string setting the attribute fills in s.
func (a Attr[S]) Field(s *S) *Value[string] { return a.str(s) }

// Env names the environment variables that set the attribute when the
// block does not, the first one set winning.
func (a Attr[S]) Env(vars ...string) Attr[S] { a.env = vars; return a }

// Default is the value (as text) when neither the block nor the
// environment sets it.
func (a Attr[S]) Default(v string) Attr[S] { a.def = v; return a }

// Sensitive marks a secret: Terraform hides it in plans and output.
func (a Attr[S]) Sensitive() Attr[S] { a.sensitive = true; return a }

// Validate adds validators that Terraform runs at validate time on values
// written in the configuration (string attributes).
func (a Attr[S]) Validate(v ...validator.String) Attr[S] {
	a.validators = append(a.validators, v...)
	return a
}

// ValidateInt adds validators for an integer attribute.
func (a Attr[S]) ValidateInt(v ...validator.Int64) Attr[S] {
	a.intChecks = append(a.intChecks, v...)
	return a
}

func (a Attr[S]) markdown() string {
	d := a.desc
	if len(a.env) > 0 && !strings.Contains(d, "Environment:") {
		d += " Environment: `" + strings.Join(a.env, "` or `") + "`."
	}
	if a.def != "" && a.kind == kindString && !strings.Contains(d, "Default") {
		d += " Default `" + a.def + "`."
	}
	return d
}

func (a Attr[S]) schema() schema.Attribute {
	switch a.kind {
	case kindBool:
		return schema.BoolAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown()}
	case kindInt:
		return schema.Int64Attribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown(), Validators: a.intChecks}
	case kindMap:
		return schema.MapAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown(), ElementType: types.StringType}
	}
	return schema.StringAttribute{Optional: true, Sensitive: a.sensitive, MarkdownDescription: a.markdown(), Validators: a.validators}
}

// Block is a cloud's block of the provider configuration, described once:
// its attributes (bound to the typed settings S), the environment
// variables that configure the cloud without a block, and the advice for a
// user who has not configured it.
type Block[S any] struct {
	Name        string
	Title       string
	Description string
	Attrs       []Attr[S]
	// Triggers are environment variables whose presence configures the
	// cloud when the configuration has no block for it.
	Triggers []string
	// Setup tells a user how to configure the cloud: "Add `x { ... }` to
	// the provider configuration, or set X_URL and ...". The command
	// line, which has no configuration, shows the part from "set"
	// (TestSetupForTheCommandLine holds every cloud to this form).
	Setup string
}

// setupSep parts Block.Setup into the configuration's way and the
// environment's.
const setupSep = " to the provider configuration, or set "

// setup is Block.Setup, for the command line its environment part.
func (b *Block[S]) setup(cli bool) string {
	if i := strings.Index(b.Setup, setupSep); cli && i >= 0 {
		return "Set " + b.Setup[i+len(setupSep):]
	}
	return b.Setup
}

// Schema is the provider configuration's block for the cloud. A nested
// block, unlike an object attribute, rejects a misspelled setting.
func (b *Block[S]) Schema() schema.Block {
	attrs := make(map[string]schema.Attribute, len(b.Attrs))
	for _, a := range b.Attrs {
		attrs[a.name] = a.schema()
	}
	return schema.SingleNestedBlock{MarkdownDescription: b.Description, Attributes: attrs}
}

// Resolve reads the block of req and fills the typed settings: each
// attribute from the block, else the first of its environment variables
// that is set, else its default. An empty string counts as unset, so that
// `password = var.pw` with an empty pw leaves the environment's password in
// place. Values are used as given (an environment variable's spaces are
// kept, as in the configuration). Problems go to the returned Resolver.
func (b *Block[S]) Resolve(ctx context.Context, req ConfigureRequest) (*S, *Resolver) {
	r := &Resolver{name: b.Name, title: b.Title, setup: b.setup(req.CommandLine), getenv: req.Getenv, cli: req.CommandLine}
	s := new(S)
	var attrs map[string]attr.Value
	switch {
	case req.Block.IsUnknown():
		r.unknown = true
		r.later.AddAttributeError(path.Root(b.Name), "Unknown value for the "+b.Name+" block",
			fmt.Sprintf("The %s block depends on a value that is only known after apply, but the provider needs its settings to read "+
				"from %s. Use values known at plan time (literals, variables, data sources), or leave the block out and use the "+
				"environment variables (%s).", b.Name, b.Title, strings.Join(b.Triggers, ", ")))
		r.present = true
	case !req.Block.IsNull():
		r.present = true
		attrs = req.Block.Attributes()
	}
	for _, a := range b.Attrs {
		val := attrs[a.name]
		name := b.Name + "." + a.name
		if val != nil && val.IsUnknown() {
			r.unknown = true
			alt := "set it to a value known at plan time"
			if len(a.env) > 0 {
				alt += " or remove it and set " + strings.Join(a.env, " or ")
			}
			r.later.AddAttributeError(path.Root(b.Name).AtName(a.name), "Unknown value for "+name,
				fmt.Sprintf("%s depends on a value that is only known after apply, but the provider must know it to use %s: %s.", name, b.Title, alt))
			val = nil
		}
		if a.kind == kindMap {
			v := Value[map[string]string]{name: name, cli: r.cli}
			if m, ok := val.(types.Map); ok && !m.IsNull() && len(m.Elements()) > 0 {
				v.V, v.Origin = make(map[string]string, len(m.Elements())), FromConfig
				for k, e := range m.Elements() {
					if e.IsUnknown() {
						r.unknown = true
						r.later.AddAttributeError(path.Root(b.Name).AtName(a.name), "Unknown value for "+name,
							fmt.Sprintf("%s[%q] depends on a value that is only known after apply, but the provider must know it to use %s.", name, k, b.Title))
						continue
					}
					if str, ok := e.(types.String); ok && !str.IsNull() {
						v.V[k] = str.ValueString()
					}
				}
			}
			*a.strings(s) = v
			continue
		}
		raw, origin, source := "", Unset, ""
		switch {
		case val != nil && !val.IsNull() && text(val) != "":
			raw, origin = text(val), FromConfig
		default:
			for _, e := range a.env {
				if x := req.Getenv(e); x != "" {
					raw, origin, source = x, FromEnv, e
					break
				}
			}
			if origin == FromEnv && val != nil && !val.IsNull() {
				// `password = var.pw` with an empty pw: as if unset, but
				// say where the value came from instead.
				r.now.AddAttributeWarning(path.Root(b.Name).AtName(a.name), name+" is empty; "+source+" is used",
					fmt.Sprintf("%s is set to an empty string, which counts as unset, so the provider uses %s from the environment. "+
						"Remove the attribute, or give it a value, to silence this warning.", name, source))
			}
		}
		if origin == Unset && a.def != "" {
			raw, origin = a.def, FromDefault
		}
		if origin == FromEnv {
			r.envUsed = append(r.envUsed, source)
		}
		a.fill(s, r, name, raw, origin, source)
	}
	return s, r
}

// Blank returns settings with nothing set, whose values still name
// themselves (Hint), for messages written before or without a resolution.
func (b *Block[S]) Blank() *S {
	s := new(S)
	r := &Resolver{name: b.Name}
	for _, a := range b.Attrs {
		if a.kind == kindMap {
			*a.strings(s) = Value[map[string]string]{name: b.Name + "." + a.name}
			continue
		}
		a.fill(s, r, b.Name+"."+a.name, "", Unset, "")
	}
	return s
}

// fill parses raw for the attribute's kind and stores it in s.
func (a Attr[S]) fill(s *S, r *Resolver, name, raw string, origin Origin, source string) {
	switch a.kind {
	case kindString:
		*a.str(s) = Value[string]{V: raw, Origin: origin, Source: source, name: name, env: a.env, cli: r.cli}
	case kindBool:
		v := Value[bool]{Origin: origin, Source: source, name: name, env: a.env, cli: r.cli}
		if origin != Unset {
			b, err := strconv.ParseBool(raw)
			if err != nil {
				r.failValue(a.name, v.From(), name, fmt.Sprintf("%s must be true or false, not %q.", v.From(), raw))
				v.Origin = Unset
			}
			v.V = b
		}
		*a.boolean(s) = v
	case kindInt:
		v := Value[int64]{Origin: origin, Source: source, name: name, env: a.env, cli: r.cli}
		if origin != Unset {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				r.failValue(a.name, v.From(), name, fmt.Sprintf("%s must be a whole number, not %q.", v.From(), raw))
				v.Origin = Unset
			}
			v.V = n
		}
		*a.integer(s) = v
	}
}

// text is a known, non-null value as text.
func text(v attr.Value) string {
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

// Resolver collects what resolving a cloud's settings found wrong, and
// decides when to report it: problems of a block written in the
// configuration stop Configure; those of a cloud configured by environment
// alone, and values unknown until apply, wait for the first data source
// that uses the cloud, so that they never break a run that does not need
// it. Warnings are reported at once.
type Resolver struct {
	name, title, setup string
	getenv             func(string) string
	cli                bool
	present            bool
	// unknown is set when a value is only known after apply: then every
	// problem of the cloud waits for its first use, since a setting that
	// looks missing may be the unknown one.
	unknown bool
	// envUsed are the environment variables settings were taken from, for
	// messages about a cloud configured without a block.
	envUsed    []string
	now, later diag.Diagnostics
	// file is a file the settings were read from besides the
	// environment (a clouds.yaml), for messages.
	file string
}

// ReadFrom records that settings came from file too (a clouds.yaml
// entry), so that messages of a cloud without a block name it beside the
// environment.
func (r *Resolver) ReadFrom(file string) { r.file = file }

// Triggered reports whether the user asked for the cloud: a block, or one
// of the environment variables.
func (r *Resolver) Triggered(vars ...string) bool {
	if r.present {
		return true
	}
	for _, v := range vars {
		if r.getenv(v) != "" {
			return true
		}
	}
	return false
}

// Failed reports whether any problem was recorded.
func (r *Resolver) Failed() bool { return r.now.HasError() || r.later.HasError() }

// Setting is any Value, as messages and diagnostics see it.
type Setting interface {
	Name() string
	Hint() string
	From() string
	origin() Origin
	vars() []string
}

func (v Value[T]) origin() Origin { return v.Origin }

func (v Value[T]) vars() []string { return v.env }

// FailOn records a configuration problem of the setting v.
func (r *Resolver) FailOn(v Setting, summary, detail string) {
	from := ""
	if v.origin() == FromFile {
		from = v.From()
	}
	r.fail(strings.TrimPrefix(v.Name(), r.name+"."), summary, detail, from)
}

// FailOnSecret records a problem of a setting whose value holds a secret
// (a URL with a password in it), reported as FailOn would but without the
// attribute path, under which Terraform would print the setting's source
// line. The detail names the setting.
func (r *Resolver) FailOnSecret(summary, detail string) {
	switch {
	case r.unknown:
		r.later.AddError(summary, detail)
	case r.present:
		r.now.AddError(summary, detail)
	default:
		r.later.AddError(summary, detail+r.envNote())
	}
}

// FailBlock records a problem of the block as a whole.
func (r *Resolver) FailBlock(summary, detail string) { r.fail("", summary, detail, "") }

// fail records a problem; file is the file the setting at fault came
// from, if it did, which a cloud without a block names instead of the
// environment.
func (r *Resolver) fail(attrName, summary, detail, file string) {
	switch {
	case r.unknown && r.present && attrName != "":
		r.later.AddAttributeError(path.Root(r.name).AtName(attrName), summary, detail)
	case r.unknown:
		r.later.AddError(summary, detail)
	case r.present && attrName != "":
		r.now.AddAttributeError(path.Root(r.name).AtName(attrName), summary, detail)
	case r.present:
		r.now.AddAttributeError(path.Root(r.name), summary, detail)
	case file != "" && !strings.Contains(detail, file):
		r.later.AddError(summary, detail+" (The value came from "+file+".)")
	case file != "":
		r.later.AddError(summary, detail)
	default:
		r.later.AddError(summary, detail+r.envNote())
	}
}

// envNote says where the settings of a cloud that has no block came from:
// the environment variables used and the file read (a clouds.yaml), so
// that a user who wrote no block knows where to look; it is empty when
// neither gave any (a credentials file alone, say).
func (r *Resolver) envNote() string {
	vars := strings.Join(r.envUsed, ", ")
	switch {
	case vars != "" && r.file != "":
		return " (These settings came from the environment (" + vars + ") and from " + r.file + ".)"
	case vars != "":
		return " (These settings came from the environment: " + vars + ".)"
	case r.file != "":
		return " (These settings came from " + r.file + ".)"
	}
	return ""
}

// failValue records a value that does not parse: on the attribute when it
// came from the block, else naming the variable.
func (r *Resolver) failValue(attrName, from, name, detail string) {
	if strings.HasPrefix(from, "`") {
		r.fail(attrName, "Invalid "+name, detail, "")
		return
	}
	r.later.AddError("Invalid "+from, detail+" Fix or unset "+from+".")
}

// Warn records a warning, reported at once.
func (r *Resolver) Warn(summary, detail string) { r.now.AddWarning(summary, detail) }

// WarnOn records a warning on the setting v.
func (r *Resolver) WarnOn(v Setting, summary, detail string) {
	if v.origin() == FromConfig {
		r.now.AddAttributeWarning(path.Root(r.name).AtName(strings.TrimPrefix(v.Name(), r.name+".")), summary, detail)
		return
	}
	r.now.AddWarning(summary, detail)
}
