package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cloudauth/terraform-provider-cloudauth/internal/clients/httpx"
)

// tfLogger sends the HTTP stack's lines to Terraform's log (TF_LOG). The
// stack masks secrets before they get here.
type tfLogger struct{}

func (tfLogger) Log(ctx context.Context, level httpx.Level, msg string, fields map[string]any) {
	if level == httpx.LevelTrace {
		tflog.Trace(ctx, msg, fields)
		return
	}
	tflog.Debug(ctx, msg, fields)
}
