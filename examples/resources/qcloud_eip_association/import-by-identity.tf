# Terraform 1.12+ or OpenTofu 1.12+: the EIP names its binding, whichever form it
# takes. region defaults to the provider's region, and must be that region.
import {
  to       = qcloud_eip_association.web
  identity = { eip_id = "eip-1a2b3c4d" }
}
