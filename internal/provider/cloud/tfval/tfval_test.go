package tfval

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A configuration read by name gives the values Config.Get would, and the
// values written back make the same object.
func TestAttrsFromAndValues(t *testing.T) {
	t.Parallel()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"name": tftypes.String, "flag": tftypes.Bool, "tags": tftypes.Map{ElementType: tftypes.String}, "codes": tftypes.List{ElementType: tftypes.Number},
	}}
	cfg := tftypes.NewValue(typ, map[string]tftypes.Value{
		"name":  tftypes.NewValue(tftypes.String, "a"),
		"flag":  tftypes.NewValue(tftypes.Bool, nil),
		"tags":  tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"k": tftypes.NewValue(tftypes.String, "v")}),
		"codes": tftypes.NewValue(tftypes.List{ElementType: tftypes.Number}, tftypes.UnknownValue),
	})
	attrs, err := Attrs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	name, err := From[types.String](types.StringType, attrs["name"])
	if err != nil || name.ValueString() != "a" {
		t.Errorf("name = %v, %v", name, err)
	}
	flag, err := From[types.Bool](types.BoolType, attrs["flag"])
	if err != nil || !flag.IsNull() {
		t.Errorf("flag = %v, %v; want null", flag, err)
	}
	tags, err := From[types.Map](types.MapType{ElemType: types.StringType}, attrs["tags"])
	if err != nil || len(tags.Elements()) != 1 || tags.Elements()["k"].(types.String).ValueString() != "v" {
		t.Errorf("tags = %v, %v", tags, err)
	}
	codes, err := From[types.List](types.ListType{ElemType: types.Int64Type}, attrs["codes"])
	if err != nil || !codes.IsUnknown() {
		t.Errorf("codes = %v, %v; want unknown", codes, err)
	}
	missing, err := From[types.String](types.StringType, attrs["absent"])
	if err != nil || !missing.IsNull() {
		t.Errorf("an attribute the object lacks = %v, %v; want null", missing, err)
	}
	if _, err := From[types.Bool](types.StringType, attrs["name"]); err == nil || !strings.Contains(err.Error(), "not a") {
		t.Errorf("a value of another framework type: err = %v", err)
	}

	back := tftypes.NewValue(typ, Values(map[string]attr.Value{"name": name, "flag": flag, "tags": tags, "codes": codes}))
	if !back.Equal(cfg) {
		t.Errorf("written back: %v, want %v", back, cfg)
	}
}
