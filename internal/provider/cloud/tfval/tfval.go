// Package tfval builds Terraform values (tftypes.Value) directly, for
// data sources whose answers are large. The framework's other path, a
// tagged struct read by reflection into attr.Values that are checked
// element by element and then built again as tftypes values, costs several
// times the decoding of the answer; this one builds each value once, and
// State.Set takes the result as it is:
//
//	root := tfval.StateType(schema)
//	item := tfval.Elem(root, "items")
//	resp.State.Set(ctx, tfval.Object(root, map[string]tftypes.Value{
//		"name":  tfval.Of(config.Name),
//		"items": tfval.List(item, items),
//	}))
package tfval

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// StateType is the Terraform type of a data source's whole state, from
// its schema.
func StateType(schema interface {
	Type() attr.Type
}) tftypes.Object {
	return schema.Type().TerraformType(context.Background()).(tftypes.Object)
}

// Elem is the object type of the attribute name of t, or of its elements
// if it is a list, set or map.
func Elem(t tftypes.Object, name string) tftypes.Object {
	switch a := t.AttributeTypes[name].(type) {
	case tftypes.List:
		return a.ElementType.(tftypes.Object)
	case tftypes.Set:
		return a.ElementType.(tftypes.Object)
	case tftypes.Map:
		return a.ElementType.(tftypes.Object)
	default:
		return a.(tftypes.Object)
	}
}

var (
	nullString = tftypes.NewValue(tftypes.String, nil)
	nullBool   = tftypes.NewValue(tftypes.Bool, nil)
)

// String is a known string value.
func String(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// OptString is s, or null when it is empty (as cloud.OptString).
func OptString(s string) tftypes.Value {
	if s == "" {
		return nullString
	}
	return tftypes.NewValue(tftypes.String, s)
}

// Int64 is a known number value.
func Int64(v int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, v) }

// Bool is a known bool value.
func Bool(v bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, v) }

// BoolPointer is *v, or null for nil.
func BoolPointer(v *bool) tftypes.Value {
	if v == nil {
		return nullBool
	}
	return tftypes.NewValue(tftypes.Bool, *v)
}

// Object is an object of type t with the values vals (every attribute of t).
func Object(t tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	return tftypes.NewValue(t, vals)
}

// NullObject is a null object of type t.
func NullObject(t tftypes.Object) tftypes.Value { return tftypes.NewValue(t, nil) }

// List is a list of elements of type elem.
func List(elem tftypes.Type, vals []tftypes.Value) tftypes.Value {
	return tftypes.NewValue(tftypes.List{ElementType: elem}, vals)
}

// Of is the Terraform value of v, one of the framework's attr.Values
// (a setting read from the configuration).
func Of(v attr.Value) tftypes.Value {
	tv, err := v.ToTerraformValue(context.Background())
	if err != nil {
		// The framework's own types only fail for values they were not
		// built from; a failure here is a bug in the provider.
		panic(err)
	}
	return tv
}

// StringMap is a map of strings, or null for a nil map.
func StringMap(m map[string]string) tftypes.Value {
	t := tftypes.Map{ElementType: tftypes.String}
	if m == nil {
		return tftypes.NewValue(t, nil)
	}
	vals := make(map[string]tftypes.Value, len(m))
	for k, v := range m {
		vals[k] = String(v)
	}
	return tftypes.NewValue(t, vals)
}

// Attrs are the attributes of an object value (a configuration), none for
// a null one.
func Attrs(v tftypes.Value) (map[string]tftypes.Value, error) {
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, err
	}
	return attrs, nil
}

// From is v as the framework value of type t: what Config.Get does for
// one field of a model, without its reflection over struct tags (which
// compiles a regular expression for every field on every call: most of
// what a small data source's read cost).
func From[T attr.Value](t attr.Type, v tftypes.Value) (T, error) {
	var zero T
	if v.Type() == nil {
		// An attribute the object lacks: null.
		v = tftypes.NewValue(t.TerraformType(context.Background()), nil)
	}
	x, err := t.ValueFromTerraform(context.Background(), v)
	if err != nil {
		return zero, err
	}
	out, ok := x.(T)
	if !ok {
		return zero, fmt.Errorf("%s is a %T, not a %T", t, x, zero)
	}
	return out, nil
}

// Values are the framework values of a model by attribute name, as
// Terraform values: with Object, the state State.Set takes as it is.
func Values(vals map[string]attr.Value) map[string]tftypes.Value {
	out := make(map[string]tftypes.Value, len(vals))
	for k, v := range vals {
		out[k] = Of(v)
	}
	return out
}
