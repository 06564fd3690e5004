# The unbound EIPs. An unbound EIP that is blocked, or in arrears, cannot be
# bound all the same: keep the others to bind.
data "qcloud_eips" "unbound" {
  statuses = ["UNBIND"]
}

locals {
  free_eips = [for eip in data.qcloud_eips.unbound.eips : eip if !eip.blocked && !eip.arrears]
}

# The EIPs with these names that are bound to something. Filters combine
# (an EIP must match each one set); the values of one filter are
# alternatives.
data "qcloud_eips" "web_bound" {
  names = ["web", "api"]
  bound = true
}

output "free_public_ips" {
  value = local.free_eips[*].public_ip
}

output "web_bound_instances" {
  value = { for eip in data.qcloud_eips.web_bound.eips : eip.id => eip.instance_id }
}
