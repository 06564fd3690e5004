package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func (r *EIPAssociationResource) checkCreate(ctx context.Context, plan, config EIPAssociationResourceModel, diags *diag.Diagnostics) {
}

func (r *EIPAssociationResource) checkChange(ctx context.Context, plan, state, config EIPAssociationResourceModel, replaced bool, diags *diag.Diagnostics) {
}

func (r *EIPAssociationResource) checkDestroy(ctx context.Context, a association, state EIPAssociationResourceModel, diags *diag.Diagnostics) {
}
