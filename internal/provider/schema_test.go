package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/acctest"
)

// secretName is an attribute name that holds a secret: it must be
// Sensitive. (A token's principal, endpoint or expiry is not one.)
var secretName = regexp.MustCompile(`password|secret|passcode|^otp$|^token$|^headers$|client_key|access_token`)

// Every attribute of the provider, its data sources and its ephemeral
// resources is described, and every one that holds a secret is
// Sensitive.
func TestSchemaDescribesEveryAttributeAndHidesSecrets(t *testing.T) {
	t.Parallel()
	sch := acctest.NewServer(t, nil).Schema()
	var walk func(where string, b *tfprotov6.SchemaBlock)
	checkAttr := func(where string, a *tfprotov6.SchemaAttribute) {
		if a.Description == "" {
			t.Errorf("%s.%s has no description", where, a.Name)
		}
		if secretName.MatchString(a.Name) && !a.Sensitive {
			t.Errorf("%s.%s holds a secret but is not Sensitive", where, a.Name)
		}
		if a.NestedType != nil {
			for _, n := range a.NestedType.Attributes {
				if n.Description == "" {
					t.Errorf("%s.%s.%s has no description", where, a.Name, n.Name)
				}
			}
		}
	}
	walk = func(where string, b *tfprotov6.SchemaBlock) {
		if b.Description == "" {
			t.Errorf("%s has no description", where)
		}
		for _, a := range b.Attributes {
			checkAttr(where, a)
		}
		for _, nb := range b.BlockTypes {
			walk(where+"."+nb.TypeName, nb.Block)
		}
	}
	walk("provider", sch.Provider.Block)
	for name, s := range sch.DataSourceSchemas {
		walk(name, s.Block)
	}
	for name, s := range sch.EphemeralResourceSchemas {
		walk(name, s.Block)
	}
	if len(sch.Provider.Block.BlockTypes) != 4 || len(sch.DataSourceSchemas) != 6 || len(sch.EphemeralResourceSchemas) != 2 {
		t.Fatalf("%d cloud blocks and %d data sources: the walk saw less than the provider has", len(sch.Provider.Block.BlockTypes), len(sch.DataSourceSchemas))
	}
}
