variable "bindings" {
  description = <<-EOT
    The EIPs to bind, by EIP id. Each binds to an instance (instance_id: the EIP
    goes to the primary private IP of its primary network interface), or to a
    private IP of a network interface (network_interface_id and private_ip).
    reallocate_normal_public_ip (instance bindings only; default false) gives the
    instance a normal public IP back when the binding is destroyed.
  EOT
  type = map(object({
    instance_id                 = optional(string)
    network_interface_id        = optional(string)
    private_ip                  = optional(string)
    reallocate_normal_public_ip = optional(bool, false)
  }))
  default  = {}
  nullable = false

  # Each rule names the bindings that break it, so that a plan says what to fix.

  validation {
    condition     = alltrue([for eip_id in keys(var.bindings) : can(regex("^eip-[a-z0-9]{8}$", eip_id))])
    error_message = "The keys of bindings must be EIP ids (eip- followed by 8 lowercase letters or digits). Not EIP ids: ${join(", ", [for eip_id in keys(var.bindings) : eip_id if !can(regex("^eip-[a-z0-9]{8}$", eip_id))])}."
  }

  validation {
    condition     = alltrue([for b in values(var.bindings) : (b.instance_id == null) != (b.network_interface_id == null && b.private_ip == null)])
    error_message = "Each binding names either instance_id, or network_interface_id with private_ip: one of the two, not both and not neither. Check: ${join(", ", [for eip_id, b in var.bindings : eip_id if(b.instance_id == null) == (b.network_interface_id == null && b.private_ip == null)])}."
  }

  validation {
    condition     = alltrue([for b in values(var.bindings) : (b.network_interface_id == null) == (b.private_ip == null)])
    error_message = "network_interface_id and private_ip go together: set both, or neither. Check: ${join(", ", [for eip_id, b in var.bindings : eip_id if(b.network_interface_id == null) != (b.private_ip == null)])}."
  }

  validation {
    condition = alltrue([for b in values(var.bindings) : alltrue([
      b.instance_id == null || can(regex("^ins-[a-z0-9]{8}$", b.instance_id)),
      b.network_interface_id == null || can(regex("^eni-[a-z0-9]{8}$", b.network_interface_id)),
      b.private_ip == null || can(regex("^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$", b.private_ip)),
    ])])
    error_message = "instance_id must be an instance id (ins- and 8 lowercase letters or digits), network_interface_id a network interface id (eni- and 8 lowercase letters or digits), and private_ip an IPv4 address. Check: ${join(", ", [for eip_id, b in var.bindings : eip_id if !alltrue([
      b.instance_id == null || can(regex("^ins-[a-z0-9]{8}$", b.instance_id)),
      b.network_interface_id == null || can(regex("^eni-[a-z0-9]{8}$", b.network_interface_id)),
      b.private_ip == null || can(regex("^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$", b.private_ip)),
    ])])}."
  }

  validation {
    condition     = alltrue([for b in values(var.bindings) : b.instance_id != null || !b.reallocate_normal_public_ip])
    error_message = "reallocate_normal_public_ip is for instance bindings only: the API gives a normal public IP back only for the primary private IP of an instance's primary network interface. Check: ${join(", ", [for eip_id, b in var.bindings : eip_id if b.instance_id == null && b.reallocate_normal_public_ip])}."
  }

  validation {
    condition     = length(distinct([for b in values(var.bindings) : b.instance_id != null ? b.instance_id : "${coalesce(b.network_interface_id, "-")} ${coalesce(b.private_ip, "-")}"])) == length(var.bindings)
    error_message = "An instance, or a private IP of a network interface, takes one EIP. Named by more than one binding: ${join(", ", [for target, eip_ids in { for eip_id, b in var.bindings : (b.instance_id != null ? b.instance_id : "${coalesce(b.network_interface_id, "-")} ${coalesce(b.private_ip, "-")}") => eip_id... } : "${target} (${join(", ", eip_ids)})" if length(eip_ids) > 1])}."
  }
}
