# The EIPs free to bind.
data "qcloud_eips" "free" {
  statuses = ["UNBIND"]
}

# The EIPs with these names that are bound to something. Filters combine
# (an EIP must match each one set); the values of one filter are
# alternatives.
data "qcloud_eips" "web_bound" {
  names = ["web", "api"]
  bound = true
}

output "free_public_ips" {
  value = data.qcloud_eips.free.eips[*].public_ip
}

output "web_bound_instances" {
  value = { for eip in data.qcloud_eips.web_bound.eips : eip.id => eip.instance_id }
}
