package cleura

import (
	"errors"
	"strings"
	"testing"
)

func TestSelectNamesTheKnownAreasForAnUnknownTag(t *testing.T) {
	t.Parallel()
	list := []Domain{
		{Status: StatusProvisioned, Area: Area{Tag: "SE_STO2"}},
		{Status: StatusAvailable, Area: Area{Tag: "DE"}},
	}
	got, err := Select(list, Filter{AreaTag: "se_sto2", Status: StatusProvisioned})
	if err != nil || len(got) != 1 || got[0].Area.Tag != "SE_STO2" {
		t.Fatalf("Select = %v, %v; want the SE_STO2 entry (tags match without regard to case)", got, err)
	}
	got, err = Select(list, Filter{AreaTag: "DE", Status: StatusProvisioned})
	if err != nil || len(got) != 0 {
		t.Fatalf("Select = %v, %v; a known tag whose entry has another status selects nothing, without an error", got, err)
	}
	_, err = Select(list, Filter{AreaTag: "FR"})
	var ue *UnknownAreaError
	if !errors.As(err, &ue) || ue.Tag != "FR" || strings.Join(ue.Known, ",") != "DE,SE_STO2" {
		t.Fatalf("err = %v, want an UnknownAreaError listing DE and SE_STO2", err)
	}
}
