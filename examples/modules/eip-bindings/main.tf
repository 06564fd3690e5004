# Binds each EIP of var.bindings to its target. The module has no provider
# block: the caller configures (or passes) the qcloud provider.
resource "qcloud_eip_association" "this" {
  for_each = var.bindings

  eip_id                      = each.key
  instance_id                 = each.value.instance_id
  network_interface_id        = each.value.network_interface_id
  private_ip                  = each.value.private_ip
  reallocate_normal_public_ip = each.value.reallocate_normal_public_ip
}
